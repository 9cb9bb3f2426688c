using Confluent.Kafka;

namespace Rill.Cli.Tests;

/// <summary>The CLI reports what the broker said, and "cannot reach" only when no broker answered.</summary>
public sealed class KafkaErrorsTests
{
    private const string Brokers = "127.0.0.1:19092";

    [Fact]
    public void Translate_TransportErrorAfterTheBrokerAnswered_SaysTheConnectionWasLost_NotCannotReach()
    {
        var context = NewContext();
        context.Reached = true;
        var exception = new KafkaException(new Error(ErrorCode.Local_Transport, "127.0.0.1:19092/1: Disconnected (after 2987ms in state UP)"));

        var translated = KafkaErrors.Translate(exception, context, "CreateTopics");

        Assert.Equal(ExitCodes.Failed, translated.ExitCode);
        Assert.Equal(
            $"CreateTopics failed: the connection to {Brokers} was lost before the broker answered (disconnected); the broker's log may say why",
            translated.Message);
    }

    [Fact]
    public void Translate_TransportErrorBeforeAnyAnswer_SaysCannotReach_WithLibrdkafkasReason()
    {
        var exception = new KafkaException(new Error(ErrorCode.Local_Transport,
            "127.0.0.1:19092/bootstrap: Connect to ipv4#127.0.0.1:19092 failed: Connection refused (after 0ms in state CONNECT)"));

        var translated = KafkaErrors.Translate(exception, NewContext(), "CreateTopics");

        Assert.Equal(ExitCodes.Unreachable, translated.ExitCode);
        Assert.Equal($"cannot reach {Brokers} (connection refused)", translated.Message);
    }

    [Fact]
    public void ForTopic_BrokerError_GivesTheBrokersMessageAndItsKafkaCode()
    {
        var error = new Error(ErrorCode.InvalidPartitions, "Topic 'big' with 10000 partitions exceeds the broker's limit of 6500 partitions");

        var failure = KafkaErrors.ForTopic("big", error);

        Assert.Equal(ExitCodes.Failed, failure.ExitCode);
        Assert.Equal("topic 'big': Topic 'big' with 10000 partitions exceeds the broker's limit of 6500 partitions (INVALID_PARTITIONS)", failure.Message);
    }

    [Theory]
    [InlineData(Rill.Common.ErrorCode.KafkaStorageError, "KAFKA_STORAGE_ERROR")]
    [InlineData(Rill.Common.ErrorCode.PolicyViolation, "POLICY_VIOLATION")]
    [InlineData(Rill.Common.ErrorCode.UnknownTopicOrPartition, "UNKNOWN_TOPIC_OR_PARTITION")]
    public void KafkaName_IsKafkasSpelling(Rill.Common.ErrorCode code, string expected) => Assert.Equal(expected, KafkaErrors.KafkaName(code));

    private static CliContext NewContext() => new(
        new CliConsole
        {
            In = TextReader.Null,
            Out = TextWriter.Null,
            Error = TextWriter.Null,
            GetEnvironmentVariable = _ => null,
            TimeProvider = TimeProvider.System,
        },
        Brokers,
        OutputFormat.Table,
        TimeSpan.FromSeconds(10),
        [],
        verbose: false);
}
