using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Config;
using Rill.Protocol.Messages;
using Rill.TestKit;

namespace Rill.Server.Tests;

/// <summary>
/// BROKER_LOGGER: DescribeConfigs lists the broker's loggers and their levels, IncrementalAlterConfigs changes a
/// level live (SET) or lets it inherit again (DELETE), with Kafka's refusals.
/// </summary>
public sealed class BrokerLoggerConfigTests : IAsyncLifetime
{
    private const sbyte BrokerLogger = 8;
    private const sbyte Set = 0;
    private const sbyte Delete = 1;
    private const sbyte Append = 2;
    private const string ThisBroker = "1";

    private RillTestNode _node = null!;
    private RawKafkaClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _node = await RillTestNode.StartAsync();
        _client = await RawKafkaClient.ConnectAsync("127.0.0.1", _node.Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task Describe_ListsTheRootAndTheBrokersLoggers_WithTheirLevels()
    {
        var result = await DynamicBrokerConfigApiTests.DescribeResourceAsync(_client, BrokerLogger, ThisBroker);

        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        var levels = result.Configs.ToDictionary(c => c.Name, c => c.Value);
        Assert.Equal(LevelName(_node.LogLevels.EffectiveLevel("root")), levels["root"]);
        Assert.Equal(LevelName(_node.LogLevels.EffectiveLevel("Rill.Server")), levels["Rill.Server"]);
        Assert.All(result.Configs, c =>
        {
            Assert.Equal((sbyte)ConfigSource.DynamicBrokerLoggerConfig, c.ConfigSource);
            Assert.False(c.ReadOnly);
        });
    }

    [Fact]
    public async Task Set_ChangesTheLevelLive_ForTheLoggerAndThoseBelowIt_AndDeleteLetsItInheritAgain()
    {
        _node.LogLevels.Set("root", LogLevel.Information);
        Assert.False(_node.LogLevels.IsEnabled("Rill.Server.Network", LogLevel.Debug));

        var set = await DynamicBrokerConfigApiTests.AlterAsync(_client, BrokerLogger, ThisBroker, validateOnly: false, ("Rill.Server", Set, "DEBUG"));

        Assert.Equal((short)ErrorCode.None, set.ErrorCode);
        Assert.True(_node.LogLevels.IsEnabled("Rill.Server.Network", LogLevel.Debug));
        Assert.False(_node.LogLevels.IsEnabled("Rill.Storage.LogManager", LogLevel.Debug));
        var described = await DynamicBrokerConfigApiTests.DescribeResourceAsync(_client, BrokerLogger, ThisBroker);
        Assert.Equal("DEBUG", described.Configs.Single(c => c.Name == "Rill.Server").Value);

        var deleted = await DynamicBrokerConfigApiTests.AlterAsync(_client, BrokerLogger, ThisBroker, validateOnly: false, ("Rill.Server", Delete, null));

        Assert.Equal((short)ErrorCode.None, deleted.ErrorCode);
        Assert.False(_node.LogLevels.IsEnabled("Rill.Server.Network", LogLevel.Debug));
        Assert.Equal(LogLevel.Information, _node.LogLevels.EffectiveLevel("Rill.Server"));
    }

    [Fact]
    public async Task ValidateOnly_ChangesNothing()
    {
        var before = _node.LogLevels.EffectiveLevel("Rill.Server");

        var response = await DynamicBrokerConfigApiTests.AlterAsync(_client, BrokerLogger, ThisBroker, validateOnly: true, ("Rill.Server", Set, "TRACE"));

        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal(before, _node.LogLevels.EffectiveLevel("Rill.Server"));
    }

    public static TheoryData<string, string, sbyte, string?, ErrorCode, string> Refusals => new()
    {
        { ThisBroker, "Rill.Server", Set, "LOUD", ErrorCode.InvalidConfig,
            "Cannot set the log level of Rill.Server to LOUD as it is not a supported log level. Valid log levels are TRACE, DEBUG, INFO, WARN, ERROR, FATAL" },
        { ThisBroker, "no.such.logger", Set, "DEBUG", ErrorCode.InvalidConfig, "Logger no.such.logger does not exist!" },
        { ThisBroker, "no.such.logger", Delete, null, ErrorCode.InvalidConfig, "Logger no.such.logger does not exist!" },
        { ThisBroker, "root", Delete, null, ErrorCode.InvalidRequest, "Removing the log level of the root logger is not allowed" },
        { ThisBroker, "Rill.Server", Append, "DEBUG", ErrorCode.InvalidRequest, "APPEND operation is not allowed for the BROKER_LOGGER resource" },
        { "7", "Rill.Server", Set, "DEBUG", ErrorCode.InvalidRequest, "Unexpected broker id, expected 1, but received 7" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Refusals_GetKafkasErrors_AndChangeNothing(string broker, string logger, sbyte operation, string? value, ErrorCode error, string message)
    {
        var before = _node.LogLevels.Loggers();

        var response = await DynamicBrokerConfigApiTests.AlterAsync(_client, BrokerLogger, broker, validateOnly: false, (logger, operation, value));

        Assert.Equal(((short)error, message), (response.ErrorCode, response.ErrorMessage));
        Assert.Equal(before, _node.LogLevels.Loggers());
    }

    [Fact]
    public async Task LegacyAlterConfigs_RefusesBrokerLoggers()
    {
        var response = await _client.RoundTripAsync<AlterConfigsResponse>(ApiKey.AlterConfigs, 2, new AlterConfigsRequest
        {
            Resources =
            [
                new AlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = BrokerLogger,
                    ResourceName = ThisBroker,
                    Configs = [new AlterConfigsRequest.AlterableConfig { Name = "Rill.Server", Value = "DEBUG" }],
                },
            ],
        });

        var result = Assert.Single(response.Responses);
        Assert.Equal(((short)ErrorCode.InvalidRequest, "AlterConfigs does not support BROKER_LOGGER resources; use IncrementalAlterConfigs."), (result.ErrorCode, result.ErrorMessage));
    }

    private static string LevelName(LogLevel level) => Rill.Server.Observability.LogLevels.NameOf(level);
}
