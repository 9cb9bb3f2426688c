using Confluent.Kafka;

namespace Rill.Cli;

/// <summary>Turns Kafka error codes into the one-line messages and exit codes of the command line.</summary>
internal static class KafkaErrors
{
    public static bool IsConnectivity(ErrorCode code) => code is ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown
        or ErrorCode.Local_Resolve or ErrorCode.Local_TimedOut or ErrorCode.BrokerNotAvailable or ErrorCode.NetworkException;

    public static bool IsUnsupported(ErrorCode code) => code is ErrorCode.UnsupportedVersion or ErrorCode.Local_UnsupportedFeature
        or ErrorCode.InvalidRequest;

    /// <summary>The message for one failed item of an admin call, naming what failed.</summary>
    public static CliException ForTopic(string topic, Error error) => error.Code switch
    {
        ErrorCode.UnknownTopicOrPart => CliException.Failed($"topic '{topic}' does not exist"),
        ErrorCode.TopicAlreadyExists => CliException.Failed($"topic '{topic}' already exists"),
        _ => CliException.Failed($"topic '{topic}': {BrokerSaid(error)}"),
    };

    public static CliException ForGroup(string group, Error error) => error.Code switch
    {
        ErrorCode.GroupIdNotFound => CliException.Failed($"group '{group}' does not exist"),
        ErrorCode.NonEmptyGroup => CliException.Failed($"group '{group}' is not empty: it has active members (stop its consumers first)"),
        ErrorCode.UnknownMemberId => CliException.Failed($"group '{group}' is not empty: it has active members (stop its consumers first)"),
        ErrorCode.GroupAuthorizationFailed => CliException.Failed($"group '{group}': not authorized"),
        _ => CliException.Failed($"group '{group}': {BrokerSaid(error)}"),
    };

    /// <summary>The fallback for an exception no command translated more precisely.</summary>
    public static CliException Translate(KafkaException exception, CliContext context, string operation)
    {
        var code = exception.Error.Code;
        if (code is ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown && context.Reached)
        {
            // The broker answered before: it closed the connection (or it broke) while this request was in flight.
            return CliException.Failed(
                $"{operation} failed: the connection to {context.Brokers} was lost before the broker answered ({ClusterAdmin.ConnectionReason(exception.Error.Reason)}); the broker's log may say why");
        }

        if (code is ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Resolve)
        {
            return ClusterAdmin.Unreachable(context, string.IsNullOrWhiteSpace(exception.Error.Reason) ? null : ClusterAdmin.ConnectionReason(exception.Error.Reason));
        }

        if (code == ErrorCode.Local_TimedOut)
        {
            return CliException.Failed($"{operation} timed out after {ValueParsers.Describe(context.Timeout)}");
        }

        if (IsUnsupported(code))
        {
            return CliException.Failed($"the cluster does not support {operation} ({Reason(exception.Error)})");
        }

        return CliException.Failed($"{operation} failed: {BrokerSaid(exception.Error)}");
    }

    /// <summary>
    /// What the broker said and its error code in Kafka's words: "Topic 'big' would need 3000 partitions ... (INVALID_PARTITIONS)".
    /// librdkafka's own errors (negative codes) carry no Kafka name.
    /// </summary>
    public static string BrokerSaid(Error error)
    {
        var reason = Reason(error);
        var code = (int)error.Code;
        if (code <= 0 || !Enum.IsDefined((Rill.Common.ErrorCode)code))
        {
            return reason;
        }

        var name = KafkaName((Rill.Common.ErrorCode)code);
        return reason.Contains(name, StringComparison.Ordinal) ? reason : $"{reason} ({name})";
    }

    /// <summary>KafkaStorageError -> KAFKA_STORAGE_ERROR, as Kafka's Errors enum spells it.</summary>
    internal static string KafkaName(Rill.Common.ErrorCode code)
    {
        var pascal = code.ToString();
        var name = new System.Text.StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]))
            {
                name.Append('_');
            }

            name.Append(char.ToUpperInvariant(pascal[i]));
        }

        return name.ToString();
    }

    /// <summary>librdkafka's reason when it says more than the code's name, else the code in Kafka's words.</summary>
    public static string Reason(Error error)
    {
        var reason = error.Reason;
        return string.IsNullOrWhiteSpace(reason) ? error.Code.ToString() : reason.TrimEnd('.');
    }
}
