namespace Rill.Metadata;

/// <summary>Where a broker's lifecycle stands at the active controller (kafka: BrokerControlState).</summary>
internal enum BrokerControlState
{
    Fenced,
    Unfenced,
    ControlledShutdown,
    ShutdownNow,
}

/// <summary>
/// The active controller's memory of broker sessions (kafka: BrokerHeartbeatManager): when each broker last
/// heartbeated, the metadata offset it had reached, and where its controlled shutdown stands. None of it is in the
/// metadata log: a controller that becomes active starts every registered broker on a fresh session, so a broker is
/// never fenced for the time no controller was listening. Only the controller's operations touch it, one at a time.
/// </summary>
internal sealed class BrokerHeartbeatManager
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _sessionTimeout;
    private readonly Dictionary<int, Session> _sessions = [];

    public BrokerHeartbeatManager(TimeProvider time, TimeSpan sessionTimeout)
    {
        _time = time;
        _sessionTimeout = sessionTimeout;
    }

    /// <summary>
    /// Offsets that were decided in an operation whose records had not been appended yet (a registration, the start
    /// of a controlled shutdown) become the state's offset at the next operation: its batch is in that state, so the
    /// offset is at or past the batch's end, which is all the checks against it need.
    /// </summary>
    public void Resolve(long stateOffset)
    {
        foreach (var session in _sessions.Values)
        {
            if (session.RegistrationPending)
            {
                session.RegistrationOffset = stateOffset;
                session.RegistrationPending = false;
            }

            if (session.ShutdownPending)
            {
                session.ControlledShutdownOffset = stateOffset;
                session.ShutdownPending = false;
            }
        }
    }

    /// <summary>
    /// Starts or renews a session (kafka: BrokerHeartbeatManager.register). <paramref name="registrationOffset"/> is
    /// the offset the broker must reach to be unfenced; null when its registration is being appended now.
    /// </summary>
    public void Register(int brokerId, bool fenced, long? registrationOffset)
    {
        if (!_sessions.TryGetValue(brokerId, out var session))
        {
            session = new Session();
            _sessions.Add(brokerId, session);
        }

        session.RegistrationOffset = registrationOffset ?? -1;
        session.RegistrationPending = registrationOffset is null;
        Touch(session, fenced, -1);
    }

    public void Remove(int brokerId) => _sessions.Remove(brokerId);

    public bool IsRegistered(int brokerId) => _sessions.ContainsKey(brokerId);

    /// <summary>An unfenced broker that heartbeated within the session timeout; a fenced one has no session to lose.</summary>
    public bool HasValidSession(int brokerId) =>
        _sessions.TryGetValue(brokerId, out var session) && HasValidSession(session);

    /// <summary>The offset of the broker's registration: reaching it unfences the broker.</summary>
    public long RegistrationOffset(int brokerId) => _sessions[brokerId].RegistrationOffset;

    /// <summary>A heartbeat: the session restarts with the broker's new state and metadata offset.</summary>
    public void Touch(int brokerId, bool fenced, long metadataOffset) => Touch(_sessions[brokerId], fenced, metadataOffset);

    /// <summary>The broker entered controlled shutdown; it may stop once every active broker has seen its leaderships move.</summary>
    public void BeginControlledShutdown(int brokerId)
    {
        var session = _sessions[brokerId];
        if (!session.ShuttingDown)
        {
            session.ShutdownPending = true;
        }
    }

    /// <summary>Ends the session of a broker the controller fenced.</summary>
    public void Fence(int brokerId)
    {
        if (_sessions.TryGetValue(brokerId, out var session))
        {
            session.Fenced = true;
            session.ShutdownPending = false;
            session.ControlledShutdownOffset = -1;
        }
    }

    /// <summary>The unfenced brokers whose sessions expired, longest silent first (lowest id first among equals).</summary>
    public List<int> StaleBrokers() =>
        [.. _sessions.Where(pair => !pair.Value.Fenced && !HasValidSession(pair.Value))
            .OrderBy(pair => pair.Value.LastContact)
            .ThenBy(pair => pair.Key)
            .Select(pair => pair.Key)];

    public BrokerControlState CurrentState(int brokerId)
    {
        var session = _sessions[brokerId];
        return session.ShuttingDown ? BrokerControlState.ControlledShutdown
            : session.Fenced ? BrokerControlState.Fenced
            : BrokerControlState.Unfenced;
    }

    /// <summary>
    /// Kafka's calculateNextBrokerState: a fenced broker is unfenced once it has caught up with its registration and
    /// does not want to stay fenced; one that wants to shut down does so at once unless it leads partitions, in which
    /// case it enters controlled shutdown and leaves it once it leads nothing and every active broker has caught up
    /// with the moves.
    /// </summary>
    public BrokerControlState NextState(int brokerId, bool wantFence, bool wantShutDown, long currentMetadataOffset, Func<bool> hasLeaderships)
    {
        var session = _sessions[brokerId];
        switch (CurrentState(brokerId))
        {
            case BrokerControlState.Fenced:
                if (wantShutDown)
                {
                    return BrokerControlState.ShutdownNow;
                }

                return !wantFence && currentMetadataOffset >= session.RegistrationOffset
                    ? BrokerControlState.Unfenced
                    : BrokerControlState.Fenced;
            case BrokerControlState.Unfenced:
                if (wantFence)
                {
                    return wantShutDown ? BrokerControlState.ShutdownNow : BrokerControlState.Fenced;
                }

                if (wantShutDown)
                {
                    return hasLeaderships() ? BrokerControlState.ControlledShutdown : BrokerControlState.ShutdownNow;
                }

                return BrokerControlState.Unfenced;
            default:
                if (hasLeaderships())
                {
                    return BrokerControlState.ControlledShutdown;
                }

                return session.ControlledShutdownOffset <= LowestActiveOffset()
                    ? BrokerControlState.ShutdownNow
                    : BrokerControlState.ControlledShutdown;
        }
    }

    // The least metadata offset reached by the brokers that are unfenced and not shutting down; none means no one
    // is waiting to see anything.
    private long LowestActiveOffset()
    {
        var lowest = long.MaxValue;
        foreach (var session in _sessions.Values)
        {
            if (!session.Fenced && !session.ShuttingDown)
            {
                lowest = Math.Min(lowest, session.MetadataOffset);
            }
        }

        return lowest;
    }

    private bool HasValidSession(Session session) =>
        !session.Fenced && _time.GetElapsedTime(session.LastContact) <= _sessionTimeout;

    private void Touch(Session session, bool fenced, long metadataOffset)
    {
        session.LastContact = _time.GetTimestamp();
        session.MetadataOffset = metadataOffset;
        session.Fenced = fenced;
        if (fenced)
        {
            // A fenced broker leaves controlled shutdown; its next heartbeat that asks to shut down is granted at once.
            session.ShutdownPending = false;
            session.ControlledShutdownOffset = -1;
        }
    }

    private sealed class Session
    {
        public long LastContact { get; set; }

        public long MetadataOffset { get; set; } = -1;

        public bool Fenced { get; set; } = true;

        public long RegistrationOffset { get; set; } = -1;

        public bool RegistrationPending { get; set; }

        public long ControlledShutdownOffset { get; set; } = -1;

        public bool ShutdownPending { get; set; }

        public bool ShuttingDown => ShutdownPending || ControlledShutdownOffset >= 0;
    }
}
