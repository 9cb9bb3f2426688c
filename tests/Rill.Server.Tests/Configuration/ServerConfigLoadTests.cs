using Rill.Config;

namespace Rill.Server.Tests.Configuration;

public sealed class ServerConfigLoadTests : IDisposable
{
    private readonly ConfigTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Load_File_SetsValuesWithFileAndLineAsOrigin()
    {
        var path = _files.Write("# Rill\nnum.partitions=3\nlog.dirs=/a,/b\n");

        var config = ServerConfig.Load(path, ConfigLoad.NoEnvironment, []);

        Assert.Equal(3, config.NumPartitions);
        Assert.Equal(["/a", "/b"], config.LogDirs);
        var value = config.Get("num.partitions");
        Assert.Equal(ConfigOrigin.PropertiesFile, value.Origin);
        Assert.Equal($"{path} line 2", value.Location);
        Assert.Equal(path, config.PropertiesPath);
    }

    [Fact]
    public void Load_FileThenEnvironmentThenOverride_LaterWins()
    {
        var path = _files.Write("num.partitions=2\nnode.id=7\nlog.dirs=/file\n");
        var environment = new Dictionary<string, string> { ["RILL_NUM_PARTITIONS"] = "4", ["RILL_LOG_DIRS"] = "/env" };

        var config = ServerConfig.Load(path, environment, ["num.partitions=6"]);

        Assert.Equal(6, config.NumPartitions);
        Assert.Equal(ConfigOrigin.Override, config.Get("num.partitions").Origin);
        Assert.Equal("--override", config.Get("num.partitions").Location);
        Assert.Equal(["/env"], config.LogDirs);
        Assert.Equal(ConfigOrigin.Environment, config.Get("log.dirs").Origin);
        Assert.Equal("environment RILL_LOG_DIRS", config.Get("log.dirs").Location);
        Assert.Equal(7, config.NodeId);
        Assert.Equal(ConfigOrigin.PropertiesFile, config.Get("node.id").Origin);
    }

    [Fact]
    public void Load_RepeatedOverride_LastWins()
    {
        Assert.Equal(9, ConfigLoad.WithOverrides("num.partitions=3", "num.partitions=9").NumPartitions);
    }

    [Fact]
    public void Load_RepeatedKeyInFile_LastWins()
    {
        var path = _files.Write("num.partitions=3\nnum.partitions=5\n");

        var config = ServerConfig.Load(path, ConfigLoad.NoEnvironment, []);

        Assert.Equal(5, config.NumPartitions);
        Assert.Equal($"{path} line 2", config.Get("num.partitions").Location);
    }

    [Fact]
    public void Load_EnvironmentWithoutPrefix_IsIgnored()
    {
        var environment = new Dictionary<string, string> { ["NUM_PARTITIONS"] = "4", ["PATH"] = "/bin", ["rill_num_partitions"] = "5" };

        Assert.Equal(1, ServerConfig.Load(null, environment, []).NumPartitions);
    }

    [Fact]
    public void Load_RillVariableNamingNoKey_IsIgnoredWithAWarningNamingIt()
    {
        var environment = new Dictionary<string, string> { ["RILL_LOG_DIR_S"] = "/x", ["RILL_TEST_LOGS"] = "1", ["RILL_NUM_IO_THREADS"] = "4" };

        var config = ServerConfig.Load(null, environment, []);

        Assert.Equal(["./data"], config.LogDirs);
        Assert.Equal(
            [
                "Environment variable RILL_LOG_DIR_S names no configuration key ('log.dir.s'); it is ignored.",
                "Environment variable RILL_TEST_LOGS names no configuration key ('test.logs'); it is ignored.",
                "num.io.threads (environment RILL_NUM_IO_THREADS) is accepted but has no effect in Rill.",
            ],
            config.Warnings);
    }

    [Fact]
    public void Load_UnknownKeyInFile_FailsNamingKeyAndLine()
    {
        var path = _files.Write("num.partitions=1\nlog.dirz=/data\n");

        var error = Assert.Throws<ConfigException>(() => ServerConfig.Load(path, ConfigLoad.NoEnvironment, []));

        Assert.Equal("log.dirz", error.Key);
        Assert.Equal($"Unknown configuration key 'log.dirz' (from {path} line 2).", error.Message);
        Assert.Equal(Rill.Common.ErrorCode.InvalidConfig, error.ErrorCode);
    }

    [Fact]
    public void Load_UnknownKeyInOverride_FailsNamingKey()
    {
        var error = ConfigLoad.FailsWith("zookeeper.connect=localhost:2181");

        Assert.Equal("Unknown configuration key 'zookeeper.connect' (from --override).", error.Message);
    }

    [Theory]
    [InlineData("num.partitions")]
    [InlineData("=3")]
    public void Load_OverrideWithoutKeyValue_Fails(string item)
    {
        var error = ConfigLoad.FailsWith(item);

        Assert.Equal($"--override '{item}' is not in the form key=value.", error.Message);
    }

    [Fact]
    public void Load_OverrideValueMayContainEquals()
    {
        var config = ConfigLoad.WithOverrides("listener.security.protocol.map=PLAINTEXT:PLAINTEXT", "log.dirs=/a=b");

        Assert.Equal(["/a=b"], config.LogDirs);
    }

    [Fact]
    public void Load_MissingFile_FailsNamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), "rill-no-such-dir", "server.properties");

        var error = Assert.Throws<ConfigException>(() => ServerConfig.Load(path, ConfigLoad.NoEnvironment, []));

        Assert.StartsWith($"Cannot read configuration file {path}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_KnownButIgnoredKeys_LoadWithOneWarningEach()
    {
        var path = _files.Write("num.io.threads=8\nnum.network.threads=3\nnum.io.threads=16\n");

        var config = ServerConfig.Load(path, ConfigLoad.NoEnvironment, []);

        Assert.Equal(
            [
                $"num.network.threads ({path} line 2) is accepted but has no effect in Rill.",
                $"num.io.threads ({path} line 3) is accepted but has no effect in Rill.",
            ],
            config.Warnings);
    }

    [Fact]
    public void Load_StockKafkaServerProperties_Starts()
    {
        var path = _files.Write(
            """
            process.roles=broker,controller
            node.id=1
            controller.quorum.bootstrap.servers=localhost:9093
            listeners=PLAINTEXT://:9092,CONTROLLER://:9093
            inter.broker.listener.name=PLAINTEXT
            advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093
            controller.listener.names=CONTROLLER
            listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
            num.network.threads=3
            num.io.threads=8
            socket.send.buffer.bytes=102400
            socket.receive.buffer.bytes=102400
            socket.request.max.bytes=104857600
            log.dirs=/tmp/kraft-combined-logs
            num.partitions=1
            num.recovery.threads.per.data.dir=1
            offsets.topic.replication.factor=1
            share.coordinator.state.topic.replication.factor=1
            share.coordinator.state.topic.min.isr=1
            transaction.state.log.replication.factor=1
            transaction.state.log.min.isr=1
            log.retention.hours=168
            log.segment.bytes=1073741824
            log.retention.check.interval.ms=300000
            """);

        var config = ServerConfig.Load(path, ConfigLoad.NoEnvironment, []);

        Assert.Equal(
            [
                new ListenerEndpoint("PLAINTEXT", "", 9092, SecurityProtocol.Plaintext),
                new ListenerEndpoint("CONTROLLER", "", 9093, SecurityProtocol.Plaintext),
            ],
            config.Listeners);
        Assert.Equal([new ListenerEndpoint("PLAINTEXT", "localhost", 9092, SecurityProtocol.Plaintext)], config.AdvertisedBrokerListeners);
        Assert.Equal(["CONTROLLER"], config.ControllerListenerNames);
        Assert.Equal([new HostPort("localhost", 9093)], config.ControllerQuorumBootstrapServers);
        Assert.Equal(["/tmp/kraft-combined-logs"], config.LogDirs);
        Assert.Equal(9, config.Warnings.Count);
    }

    [Fact]
    public void Load_LogDirOnly_IsUsedAsLogDirs()
    {
        Assert.Equal(["/var/rill"], ConfigLoad.WithOverrides("log.dir=/var/rill").LogDirs);
    }

    [Fact]
    public void Load_LogDirsAndLogDir_LogDirsWins()
    {
        Assert.Equal(["/a"], ConfigLoad.WithOverrides("log.dir=/b", "log.dirs=/a").LogDirs);
    }

    [Fact]
    public void Load_EmptyValueForKeyWithoutDefault_MeansNotSet()
    {
        var config = ConfigLoad.WithOverrides("log.dirs=", "cluster.id=  ");

        Assert.Equal(["./data"], config.LogDirs);
        Assert.Null(config.ClusterId);
    }

    [Fact]
    public void Load_ValuesAreTrimmed()
    {
        var config = ConfigLoad.WithOverrides("num.partitions=  4 ", "log.dirs= /a , /b ", "auto.create.topics.enable= FALSE");

        Assert.Equal(4, config.NumPartitions);
        Assert.Equal(["/a", "/b"], config.LogDirs);
        Assert.False(config.AutoCreateTopicsEnable);
    }

    [Theory]
    [InlineData("debug", Microsoft.Extensions.Logging.LogLevel.Debug)]
    [InlineData("Warning", Microsoft.Extensions.Logging.LogLevel.Warning)]
    [InlineData("TRACE", Microsoft.Extensions.Logging.LogLevel.Trace)]
    public void Load_LogLevel_IsCaseInsensitive(string text, Microsoft.Extensions.Logging.LogLevel expected)
    {
        Assert.Equal(expected, ConfigLoad.WithOverrides($"log.level={text}").LogLevel);
    }

    [Fact]
    public void Load_ClusterId_AcceptsAKafkaStyleId()
    {
        Assert.Equal("MkU3OEVBNTcwNTJENDM2Qk", ConfigLoad.WithOverrides("cluster.id=MkU3OEVBNTcwNTJENDM2Qk").ClusterId);
    }

    [Fact]
    public void Load_QuorumVoters_AreParsed()
    {
        var config = ConfigLoad.WithOverrides(
            "node.id=2",
            "controller.quorum.voters=1@host1:9093,2@[::1]:9093",
            "listeners=PLAINTEXT://:9092,CONTROLLER://[::1]:9093",
            "controller.listener.names=CONTROLLER");

        Assert.Equal([new QuorumVoter(1, "host1", 9093), new QuorumVoter(2, "::1", 9093)], config.ControllerQuorumVoters);
    }

    [Theory]
    [InlineData(new[] { "node.id=2", "controller.quorum.voters=1@h:9093,2@h:9094" },
        "controller.listener.names", "a quorum of several controllers needs the listener they talk on")]
    [InlineData(new[] { "node.id=2", "controller.quorum.voters=1@h:9093,2@h:9094", "listeners=PLAINTEXT://:9092,CONTROLLER://:9095", "controller.listener.names=CONTROLLER" },
        "controller.quorum.voters", "this node's entry 2@h:9094 does not match its controller listener CONTROLLER://:9095")]
    [InlineData(new[] { "node.id=4", "process.roles=broker" },
        "process.roles", "a broker-only node needs the controllers it follows in controller.quorum.voters")]
    [InlineData(new[] { "node.id=1", "process.roles=broker", "controller.quorum.voters=1@h:9093" },
        "controller.quorum.voters", "this node (node.id=1) is a voter but process.roles has no controller role")]
    [InlineData(new[] { "node.id=1", "controller.quorum.bootstrap.servers=other:9093" },
        "controller.quorum.bootstrap.servers", "Rill runs a static quorum")]
    public void Load_AQuorumThatCannotForm_StopsTheNodeNamingTheSetting(string[] overrides, string key, string message)
    {
        var error = ConfigLoad.FailsWith(overrides);

        Assert.Equal(key, error.Key);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ControllerNotAVoter_Fails()
    {
        var error = ConfigLoad.FailsWith("node.id=3", "controller.quorum.voters=1@host1:9093");

        Assert.Equal(
            "Invalid configuration 'controller.quorum.voters' (from --override): this node (node.id=3) has the controller role but is not a voter.",
            error.Message);
    }

    [Fact]
    public void Load_GroupMinSessionTimeoutAboveMax_Fails()
    {
        var error = ConfigLoad.FailsWith("group.min.session.timeout.ms=10000", "group.max.session.timeout.ms=9000");

        Assert.Equal("group.min.session.timeout.ms", error.Key);
        Assert.Equal(
            "Invalid configuration 'group.min.session.timeout.ms' (from --override): 10000 is above group.max.session.timeout.ms (9000).",
            error.Message);
    }
}
