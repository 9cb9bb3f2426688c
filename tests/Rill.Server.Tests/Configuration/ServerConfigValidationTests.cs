using Rill.Config;

namespace Rill.Server.Tests.Configuration;

public sealed class ServerConfigValidationTests
{
    public static TheoryData<string, string, string> BadValues => new()
    {
        { "node.id", "-1", "must be at least 0" },
        { "node.id", "one", "must be a whole number between -2147483648 and 2147483647" },
        { "node.id", "2147483648", "must be a whole number between -2147483648 and 2147483647" },
        { "num.partitions", "0", "must be at least 1" },
        { "num.partitions", "1.5", "must be a whole number between -2147483648 and 2147483647" },
        { "default.replication.factor", "0", "must be at least 1" },
        { "offsets.topic.replication.factor", "40000", "must be a whole number between -32768 and 32767" },
        { "offsets.topic.replication.factor", "0", "must be at least 1" },
        { "log.retention.check.interval.ms", "0", "must be at least 1" },
        { "connections.max.idle.ms", "-2", "must be at least -1" },
        { "connections.max.idle.ms", "ten", "must be a whole number between -9223372036854775808 and 9223372036854775807" },
        { "socket.request.max.bytes", "0", "must be at least 1" },
        { "auto.create.topics.enable", "yes", "must be true or false" },
        { "delete.topic.enable", "1", "must be true or false" },
        { "process.roles", "", "must list at least one of broker, controller" },
        { "process.roles", "broker,worker", "'worker' is not one of broker, controller" },
        { "process.roles", "broker,broker", "'broker' is listed twice" },
        { "process.roles", "broker,,controller", "has an empty item between commas" },
        { "log.dirs", "/a,/a", "directory '/a' is listed twice" },
        { "log.dir", "", "must name at least one directory" },
        { "log.segment.bytes", "1000", "must be at least 1048576" },
        { "log.roll.hours", "0", "must be at least 1" },
        { "log.roll.ms", "0", "must be at least 1" },
        { "log.retention.ms", "-2", "must be at least -1" },
        { "log.index.size.max.bytes", "3", "must be at least 4" },
        { "log.flush.interval.messages", "0", "must be at least 1" },
        { "log.message.timestamp.type", "createtime", "must be one of CreateTime, LogAppendTime" },
        { "log.cleanup.policy", "delete,remove", "'remove' is not one of delete, compact" },
        { "compression.type", "brotli", "must be one of uncompressed, zstd, lz4, snappy, gzip, producer" },
        { "log.cleaner.min.cleanable.ratio", "1.5", "must be between 0 and 1" },
        { "log.cleaner.min.cleanable.ratio", "half", "must be a number" },
        { "min.insync.replicas", "0", "must be at least 1" },
        { "message.max.bytes", "-1", "must be at least 0" },
        { "log.level", "Verbose", "must be one of Trace, Debug, Information, Warning, Error" },
        { "cluster.id", "not-an-id", "must be a non-zero 22-character base64url id" },
        { "cluster.id", "AAAAAAAAAAAAAAAAAAAAAA", "must be a non-zero 22-character base64url id" },
        { "admin.listener", "localhost", "'localhost' is not in the form host:port" },
        { "admin.listener", "localhost:99999", "port '99999' is not a number between 0 and 65535" },
        { "controller.quorum.voters", "host:9093", "'host:9093' is not in the form id@host:port" },
        { "controller.quorum.voters", "1@a:9093,1@b:9093", "voter id 1 is listed twice" },
        { "controller.quorum.bootstrap.servers", "a:x", "port 'x' is not a number between 0 and 65535" },
        { "listener.security.protocol.map", "PLAINTEXT", "'PLAINTEXT' is not in the form LISTENER_NAME:PROTOCOL" },
        { "listener.security.protocol.map", "EXTERNAL:TLS", "'TLS' is not a security protocol; use PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL" },
        { "listener.security.protocol.map", "A:PLAINTEXT,a:SSL", "listener 'a' is mapped twice" },
        { "security.inter.broker.protocol", "TLS", "must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL" },
        { "num.io.threads", "0", "must be at least 1" },
        { "transaction.state.log.replication.factor", "0", "must be at least 1" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Load_BadValue_FailsNamingKeyValueAndReason(string key, string value, string reason)
    {
        var error = ConfigLoad.FailsWith($"{key}={value}");

        Assert.Equal(key, error.Key);
        Assert.Equal($"Invalid value '{value}' for '{key}' (from --override): {reason}.", error.Message);
    }

    [Fact]
    public void Load_BadValueFromEnvironment_NamesTheVariable()
    {
        var environment = new Dictionary<string, string> { ["RILL_NUM_PARTITIONS"] = "zero" };

        var error = Assert.Throws<ConfigException>(() => ServerConfig.Load(null, environment, []));

        Assert.Equal(
            "Invalid value 'zero' for 'num.partitions' (from environment RILL_NUM_PARTITIONS): must be a whole number between -2147483648 and 2147483647.",
            error.Message);
    }

    [Fact]
    public void Load_Password_IsShownMasked()
    {
        var config = ConfigLoad.WithOverrides("ssl.keystore.password=s3cret");

        Assert.Equal(ConfigPrinter.Hidden, config.Get("ssl.keystore.password").DisplayText);
    }

    [Fact]
    public void Definitions_EveryDefault_PassesItsValidator()
    {
        foreach (var definition in BrokerConfigs.All.Concat(TopicConfigs.All))
        {
            if (definition.DefaultText is not null)
            {
                definition.Parse(definition.DefaultText, out var reason);
                Assert.Null(reason);
            }
        }
    }
}
