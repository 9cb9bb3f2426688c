namespace Rill.Config;

// Checks that span several keys. Each key's own format was checked by its validator when it was read,
// so the parses here succeed; what can fail is how the keys fit together.
public sealed partial class ServerConfig
{
    private static ProcessRoles ParseRoles(IReadOnlyList<string> roles)
    {
        var result = ProcessRoles.None;
        foreach (var role in roles)
        {
            result |= role == "broker" ? ProcessRoles.Broker : ProcessRoles.Controller;
        }

        return result;
    }

    private static QuorumVoter ParseVoter(string text)
    {
        ListenerParser.TryParseVoter(text, out var voter);
        return voter;
    }

    private static HostPort ParseHostPort(string text)
    {
        ListenerParser.TryParseHostPort(text, out var address);
        return address;
    }

    private Dictionary<string, SecurityProtocol> ParseProtocolMap()
    {
        ListenerParser.TryParseProtocolMap((string)Raw(BrokerConfigs.ListenerSecurityProtocolMapConfig)!, out var map);
        return map;
    }

    private List<ListenerEndpoint> ResolveListeners()
    {
        var listeners = new List<ListenerEndpoint>();
        foreach (var item in List(BrokerConfigs.ListenersConfig)!)
        {
            ListenerParser.TryParseListener(item, out var name, out var address);
            // A controller listener missing from the map is PLAINTEXT, as Kafka treats it; TryGetValue leaves that default.
            if (!ListenerSecurityProtocolMap.TryGetValue(name, out var protocol) && !ControllerListenerNames.Contains(name))
            {
                throw Invalid(
                    BrokerConfigs.ListenersConfig,
                    $"listener {name} has no entry in {BrokerConfigs.ListenerSecurityProtocolMapConfig}; add {name}:PLAINTEXT to it");
            }

            if (protocol != SecurityProtocol.Plaintext)
            {
                throw Invalid(
                    BrokerConfigs.ListenersConfig,
                    $"listener {name} uses security protocol {ListenerParser.ProtocolName(protocol)}; Rill serves only PLAINTEXT for now");
            }

            listeners.Add(new ListenerEndpoint(name, address.Host, address.Port, protocol));
        }

        if (listeners.Count == 0)
        {
            throw Invalid(BrokerConfigs.ListenersConfig, "at least one listener is required");
        }

        return listeners;
    }

    private List<ListenerEndpoint> ResolveAdvertisedListeners()
    {
        var configured = List(BrokerConfigs.AdvertisedListenersConfig);
        if (configured is null)
        {
            return [.. Listeners];
        }

        var advertised = new List<ListenerEndpoint>();
        foreach (var item in configured)
        {
            ListenerParser.TryParseListener(item, out var name, out var address);
            var listener = Listeners.FirstOrDefault(candidate => candidate.Name == name)
                ?? throw Invalid(BrokerConfigs.AdvertisedListenersConfig, $"{name} is not one of the listeners ({ListenerNames()})");
            advertised.Add(listener with { Host = address.Host, Port = address.Port });
        }

        return advertised;
    }

    private string? ResolveInterBrokerListener()
    {
        var configured = (string?)Raw(BrokerConfigs.InterBrokerListenerNameConfig);
        var protocol = _values[BrokerConfigs.SecurityInterBrokerProtocolConfig];
        if (configured is not null && !protocol.IsDefault)
        {
            throw Invalid(
                BrokerConfigs.InterBrokerListenerNameConfig,
                $"set either it or {BrokerConfigs.SecurityInterBrokerProtocolConfig}, not both");
        }

        if (!protocol.IsDefault && (string)protocol.Value! != "PLAINTEXT")
        {
            throw Invalid(
                BrokerConfigs.SecurityInterBrokerProtocolConfig,
                $"{protocol.Value} is not served; Rill serves only PLAINTEXT for now");
        }

        var brokerListeners = Listeners.Where(listener => !ControllerListenerNames.Contains(listener.Name)).ToList();
        if (configured is null)
        {
            return brokerListeners.Count > 0 ? brokerListeners[0].Name : null;
        }

        var name = configured.ToUpperInvariant();
        if (!brokerListeners.Any(listener => listener.Name == name))
        {
            throw Invalid(
                BrokerConfigs.InterBrokerListenerNameConfig,
                $"{name} is not one of the non-controller listeners ({ListenerNames()})");
        }

        return name;
    }

    private void CheckRolesAndQuorum()
    {
        var brokerListenerCount = Listeners.Count(listener => !ControllerListenerNames.Contains(listener.Name));
        if (ProcessRoles.HasFlag(ProcessRoles.Broker) && brokerListenerCount == 0)
        {
            throw Invalid(
                BrokerConfigs.ListenersConfig,
                $"a broker needs a listener that is not in {BrokerConfigs.ControllerListenerNamesConfig}");
        }

        foreach (var name in ControllerListenerNames)
        {
            var listening = Listeners.Any(listener => listener.Name == name);
            if (ProcessRoles.HasFlag(ProcessRoles.Controller) && !listening)
            {
                throw Invalid(BrokerConfigs.ControllerListenerNamesConfig, $"{name} is not one of the listeners ({ListenerNames()})");
            }

            if (!ProcessRoles.HasFlag(ProcessRoles.Controller) && listening)
            {
                throw Invalid(BrokerConfigs.ControllerListenerNamesConfig, $"a node without the controller role must not listen on {name}");
            }
        }

        if (ProcessRoles.HasFlag(ProcessRoles.Controller)
            && ControllerQuorumVoters.Count > 0
            && !ControllerQuorumVoters.Any(voter => voter.NodeId == NodeId))
        {
            throw Invalid(
                BrokerConfigs.ControllerQuorumVotersConfig,
                $"this node ({BrokerConfigs.NodeIdConfig}={NodeId}) has the controller role but is not a voter");
        }

        CheckQuorum();
    }

    // The quorum is static (controller.quorum.voters): every setting that names it must fit that list, or the node
    // stops here instead of forming a cluster of its own.
    private void CheckQuorum()
    {
        var isController = ProcessRoles.HasFlag(ProcessRoles.Controller);

        // Kafka 4's stock server.properties names the node's own controller listener as the bootstrap server of a
        // quorum it starts alone (kafka-storage format --standalone); that is a quorum of one, which Rill runs. Any
        // other controller named there would make a dynamic quorum (KIP-853), which it does not.
        if (ControllerQuorumVoters.Count == 0 && ControllerQuorumBootstrapServers.Count > 0
            && !(isController && ControllerQuorumBootstrapServers.All(IsOwnControllerListener)))
        {
            throw Invalid(
                BrokerConfigs.ControllerQuorumBootstrapServersConfig,
                $"Rill runs a static quorum: list the controllers in {BrokerConfigs.ControllerQuorumVotersConfig} (id@host:port,...) instead");
        }

        if (!ProcessRoles.HasFlag(ProcessRoles.Broker))
        {
            throw Invalid(
                BrokerConfigs.ProcessRolesConfig,
                "Rill does not run controller-only nodes yet: use process.roles=broker,controller (combined mode) for the voters");
        }

        if (!isController && ControllerQuorumVoters.Count == 0)
        {
            throw Invalid(
                BrokerConfigs.ProcessRolesConfig,
                $"a broker-only node needs the controllers it follows in {BrokerConfigs.ControllerQuorumVotersConfig}");
        }

        if (!isController && ControllerQuorumVoters.Any(voter => voter.NodeId == NodeId))
        {
            throw Invalid(
                BrokerConfigs.ControllerQuorumVotersConfig,
                $"this node ({BrokerConfigs.NodeIdConfig}={NodeId}) is a voter but {BrokerConfigs.ProcessRolesConfig} has no controller role");
        }

        if (!ControllerQuorumVoters.Any(voter => voter.NodeId != NodeId))
        {
            return;
        }

        if (ControllerListenerNames.Count == 0)
        {
            throw Invalid(
                BrokerConfigs.ControllerListenerNamesConfig,
                $"a quorum of several controllers needs the listener they talk on (e.g. {BrokerConfigs.ControllerListenerNamesConfig}=CONTROLLER with CONTROLLER://host:port in {BrokerConfigs.ListenersConfig})");
        }

        var self = ControllerQuorumVoters.FirstOrDefault(voter => voter.NodeId == NodeId);
        var controllerListener = Listeners.FirstOrDefault(listener => listener.Name == ControllerListenerNames[0]);
        if (self is not null && controllerListener is not null && controllerListener.Port != 0 && controllerListener.Port != self.Port)
        {
            throw Invalid(
                BrokerConfigs.ControllerQuorumVotersConfig,
                $"this node's entry {self.NodeId}@{self.Host}:{self.Port} does not match its controller listener {controllerListener.Name}://{controllerListener.Host}:{controllerListener.Port}");
        }
    }

    private void CheckGroupSessionTimeouts()
    {
        if (GroupMinSessionTimeoutMs > GroupMaxSessionTimeoutMs)
        {
            throw Invalid(
                BrokerConfigs.GroupMinSessionTimeoutMsConfig,
                $"{GroupMinSessionTimeoutMs} is above {BrokerConfigs.GroupMaxSessionTimeoutMsConfig} ({GroupMaxSessionTimeoutMs})");
        }
    }

    // Kafka's KafkaConfig check: a broker that heartbeats less often than its session lasts is fenced between beats.
    private void CheckBrokerHeartbeat()
    {
        if (BrokerHeartbeatIntervalMs > BrokerSessionTimeoutMs)
        {
            throw Invalid(
                BrokerConfigs.BrokerHeartbeatIntervalMsConfig,
                $"{BrokerHeartbeatIntervalMs} is above {BrokerConfigs.BrokerSessionTimeoutMsConfig} ({BrokerSessionTimeoutMs})");
        }
    }

    private bool IsOwnControllerListener(HostPort address) =>
        Listeners.Any(listener => ControllerListenerNames.Contains(listener.Name) && listener.Port == address.Port);

    // Kafka's rule: a follower's fetch that waits longer than the lag allowed would drop it out of the ISR while it waits.
    private void CheckReplicaFetchWait()
    {
        if (ReplicaFetchWaitMaxMs > ReplicaLagTimeMaxMs)
        {
            throw Invalid(
                BrokerConfigs.ReplicaFetchWaitMaxMsConfig,
                $"{ReplicaFetchWaitMaxMs} is above {BrokerConfigs.ReplicaLagTimeMaxMsConfig} ({ReplicaLagTimeMaxMs}); a follower waiting that long would leave the ISR");
        }
    }

    private string ListenerNames() => string.Join(", ", Listeners.Select(listener => listener.Name));
}
