using Rill.Config;

namespace Rill.Server.Tests.Configuration;

public sealed class ListenerConfigTests
{
    [Theory]
    [InlineData("PLAINTEXT://:9092", "", 9092)]
    [InlineData("PLAINTEXT://0.0.0.0:9092", "0.0.0.0", 9092)]
    [InlineData("PLAINTEXT://[::1]:9092", "::1", 9092)]
    [InlineData("PLAINTEXT://[::]:0", "::", 0)]
    [InlineData("plaintext://broker-1.example.com:19092", "broker-1.example.com", 19092)]
    public void Load_Listener_ParsesHostAndPort(string listeners, string host, int port)
    {
        var config = ConfigLoad.WithOverrides($"listeners={listeners}");

        Assert.Equal([new ListenerEndpoint("PLAINTEXT", host, port, SecurityProtocol.Plaintext)], config.Listeners);
    }

    [Fact]
    public void Load_SeveralListeners_KeepOrderAndNamesMapThroughProtocolMap()
    {
        var config = ConfigLoad.WithOverrides(
            "listeners=INTERNAL://:9092,EXTERNAL://[::1]:9094",
            "listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT");

        Assert.Equal(
            [
                new ListenerEndpoint("INTERNAL", "", 9092, SecurityProtocol.Plaintext),
                new ListenerEndpoint("EXTERNAL", "::1", 9094, SecurityProtocol.Plaintext),
            ],
            config.Listeners);
        Assert.Equal("INTERNAL", config.InterBrokerListenerName);
        Assert.Equal("EXTERNAL://[::1]:9094", config.Listeners[1].ToString());
    }

    public static TheoryData<string, string> BadListeners => new()
    {
        { "PLAINTEXT:9092", "'PLAINTEXT:9092' is not in the form NAME://host:port" },
        { "PLAINTEXT://localhost", "'PLAINTEXT://localhost': 'localhost' is not in the form host:port" },
        { "PLAINTEXT://localhost:65536", "'PLAINTEXT://localhost:65536': port '65536' is not a number between 0 and 65535" },
        { "PLAINTEXT://localhost:-1", "'PLAINTEXT://localhost:-1': port '-1' is not a number between 0 and 65535" },
        { "PLAINTEXT://localhost:http", "'PLAINTEXT://localhost:http': port 'http' is not a number between 0 and 65535" },
        { "PLAINTEXT://::1:9092", "'PLAINTEXT://::1:9092': IPv6 host '::1' must be written in brackets, as [::1]" },
        { "PLAINTEXT://[::1:9092", "'PLAINTEXT://[::1:9092': '[::1:9092' is not in the form [IPv6]:port" },
        { "PLAINTEXT://[nothost]:9092", "'PLAINTEXT://[nothost]:9092': 'nothost' is not an IPv6 address" },
        { "PLAINTEXT://bad host:9092", "'PLAINTEXT://bad host:9092': 'bad host' is not a valid host" },
        { "://:9092", "'://:9092' has an invalid listener name; use letters, digits, '_' or '-'" },
        { "PLAINTEXT://:9092,plaintext://:9093", "listener name PLAINTEXT is used twice" },
        { "A://:9092,B://:9092", "'B://:9092' uses host and port of another listener" },
    };

    [Theory]
    [MemberData(nameof(BadListeners))]
    public void Load_BadListeners_FailNamingKeyAndReason(string listeners, string reason)
    {
        var error = ConfigLoad.FailsWith($"listeners={listeners}", "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,A:PLAINTEXT,B:PLAINTEXT");

        Assert.Equal("listeners", error.Key);
        Assert.Equal($"Invalid value '{listeners}' for 'listeners' (from --override): {reason}.", error.Message);
    }

    [Fact]
    public void Load_TwoListenersOnPortZero_AreAllowed()
    {
        var config = ConfigLoad.WithOverrides(
            "listeners=A://:0,B://:0",
            "listener.security.protocol.map=A:PLAINTEXT,B:PLAINTEXT");

        Assert.Equal(2, config.Listeners.Count);
    }

    [Theory]
    [InlineData("SSL://:9093", "SSL")]
    [InlineData("SASL_PLAINTEXT://:9093", "SASL_PLAINTEXT")]
    [InlineData("SASL_SSL://:9093", "SASL_SSL")]
    public void Load_ListenerWithUnsupportedProtocol_FailsNamingListenerAndProtocol(string listener, string protocol)
    {
        var error = ConfigLoad.FailsWith($"listeners=PLAINTEXT://:9092,{listener}");

        Assert.Equal("listeners", error.Key);
        Assert.Equal(
            $"Invalid configuration 'listeners' (from --override): listener {protocol} uses security protocol {protocol}; Rill serves only PLAINTEXT for now.",
            error.Message);
    }

    [Fact]
    public void Load_CustomNameMappedToSsl_Fails()
    {
        var error = ConfigLoad.FailsWith("listeners=EXTERNAL://:9093", "listener.security.protocol.map=EXTERNAL:SSL");

        Assert.Equal(
            "Invalid configuration 'listeners' (from --override): listener EXTERNAL uses security protocol SSL; Rill serves only PLAINTEXT for now.",
            error.Message);
    }

    [Fact]
    public void Load_UnusedSslMapping_IsFine()
    {
        var config = ConfigLoad.WithOverrides("listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL");

        Assert.Equal(SecurityProtocol.Ssl, config.ListenerSecurityProtocolMap["SSL"]);
    }

    [Fact]
    public void Load_ListenerMissingFromProtocolMap_Fails()
    {
        var error = ConfigLoad.FailsWith("listeners=INTERNAL://:9092");

        Assert.Equal(
            "Invalid configuration 'listeners' (from --override): listener INTERNAL has no entry in listener.security.protocol.map; add INTERNAL:PLAINTEXT to it.",
            error.Message);
    }

    [Fact]
    public void Load_ControllerListenerNotInMap_IsPlaintext()
    {
        var config = ConfigLoad.WithOverrides(
            "listeners=PLAINTEXT://:9092,CONTROLLER://:9093",
            "controller.listener.names=controller",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT");

        Assert.Equal(SecurityProtocol.Plaintext, config.Listeners[1].SecurityProtocol);
        Assert.Equal(["CONTROLLER"], config.ControllerListenerNames);
        Assert.Equal([config.Listeners[0]], config.AdvertisedBrokerListeners);
    }

    [Fact]
    public void Load_EmptyListeners_Fails()
    {
        var error = ConfigLoad.FailsWith("listeners=");

        Assert.Equal("Invalid configuration 'listeners' (from --override): at least one listener is required.", error.Message);
    }

    [Fact]
    public void Load_AdvertisedListeners_TakeProtocolFromTheListenerOfTheSameName()
    {
        var config = ConfigLoad.WithOverrides("listeners=PLAINTEXT://0.0.0.0:9092", "advertised.listeners=plaintext://broker1:19092");

        Assert.Equal([new ListenerEndpoint("PLAINTEXT", "broker1", 19092, SecurityProtocol.Plaintext)], config.AdvertisedListeners);
    }

    [Fact]
    public void Load_AdvertisedListenerNotInListeners_Fails()
    {
        var error = ConfigLoad.FailsWith("advertised.listeners=EXTERNAL://broker1:9092");

        Assert.Equal("advertised.listeners", error.Key);
        Assert.Equal(
            "Invalid configuration 'advertised.listeners' (from --override): EXTERNAL is not one of the listeners (PLAINTEXT).",
            error.Message);
    }

    [Theory]
    [InlineData("PLAINTEXT://0.0.0.0:9092", "'PLAINTEXT://0.0.0.0:9092' advertises the wildcard address 0.0.0.0; clients cannot connect to it")]
    [InlineData("PLAINTEXT://[::]:9092", "'PLAINTEXT://[::]:9092' advertises the wildcard address ::; clients cannot connect to it")]
    [InlineData("PLAINTEXT://broker:0", "'PLAINTEXT://broker:0' advertises port 0")]
    public void Load_AdvertisedUnreachableAddress_Fails(string advertised, string reason)
    {
        var error = ConfigLoad.FailsWith($"advertised.listeners={advertised}");

        Assert.Equal($"Invalid value '{advertised}' for 'advertised.listeners' (from --override): {reason}.", error.Message);
    }

    [Fact]
    public void Load_InterBrokerListenerNotAListener_Fails()
    {
        var error = ConfigLoad.FailsWith("inter.broker.listener.name=INTERNAL");

        Assert.Equal(
            "Invalid configuration 'inter.broker.listener.name' (from --override): INTERNAL is not one of the non-controller listeners (PLAINTEXT).",
            error.Message);
    }

    [Fact]
    public void Load_InterBrokerListenerAndProtocolBothSet_Fails()
    {
        var error = ConfigLoad.FailsWith("inter.broker.listener.name=PLAINTEXT", "security.inter.broker.protocol=PLAINTEXT");

        Assert.Equal(
            "Invalid configuration 'inter.broker.listener.name' (from --override): set either it or security.inter.broker.protocol, not both.",
            error.Message);
    }

    [Fact]
    public void Load_InterBrokerProtocolSsl_Fails()
    {
        var error = ConfigLoad.FailsWith("security.inter.broker.protocol=SSL");

        Assert.Equal(
            "Invalid configuration 'security.inter.broker.protocol' (from --override): SSL is not served; Rill serves only PLAINTEXT for now.",
            error.Message);
    }

    [Fact]
    public void Load_ControllerListenerMissingOnController_Fails()
    {
        var error = ConfigLoad.FailsWith("controller.listener.names=CONTROLLER");

        Assert.Equal(
            "Invalid configuration 'controller.listener.names' (from --override): CONTROLLER is not one of the listeners (PLAINTEXT).",
            error.Message);
    }

    [Fact]
    public void Load_BrokerOnlyNodeListeningOnControllerListener_Fails()
    {
        var error = ConfigLoad.FailsWith(
            "process.roles=broker",
            "listeners=PLAINTEXT://:9092,CONTROLLER://:9093",
            "controller.listener.names=CONTROLLER");

        Assert.Equal(
            "Invalid configuration 'controller.listener.names' (from --override): a node without the controller role must not listen on CONTROLLER.",
            error.Message);
    }

    [Fact]
    public void Load_BrokerWithOnlyControllerListeners_Fails()
    {
        var error = ConfigLoad.FailsWith("listeners=CONTROLLER://:9093", "controller.listener.names=CONTROLLER");

        Assert.Equal(
            "Invalid configuration 'listeners' (from --override): a broker needs a listener that is not in controller.listener.names.",
            error.Message);
    }

    [Fact]
    public void Load_ControllerOnlyNode_IsRefusedNamingTheRole()
    {
        var error = ConfigLoad.FailsWith(
            "process.roles=controller",
            "listeners=CONTROLLER://:9093",
            "controller.listener.names=CONTROLLER");

        Assert.Equal(
            "Invalid configuration 'process.roles' (from --override): Rill does not run controller-only nodes yet: use process.roles=broker,controller (combined mode) for the voters.",
            error.Message);
    }
}
