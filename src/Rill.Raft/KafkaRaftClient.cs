using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Raft;

/// <summary>
/// A node of the KRaft metadata quorum (kafka: <c>KafkaRaftClient</c>; KIP-595 Raft, KIP-996 pre-vote, KIP-630
/// snapshots) over Kafka's own RPCs: Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch, FetchSnapshot and DescribeQuorum.
/// Static voters only (<c>controller.quorum.voters</c>): KIP-853's dynamic membership is not implemented.
/// </summary>
/// <remarks>
/// One poll thread owns the state: <see cref="Poll"/> handles what arrived (requests, responses, appends), moves the
/// state machine on its timers and tells listeners what committed. Other threads only enqueue (<see cref="HandleRequest"/>,
/// <see cref="ScheduleAtomicAppend"/>) or read published values (<see cref="LeaderAndEpoch"/>, <see cref="HighWatermark"/>).
/// Clock, transport, storage and randomness are injected, so the deterministic simulation drives this very code.
/// </remarks>
public sealed partial class KafkaRaftClient : IDisposable
{
    // The longest a poll may ask to sleep: nothing in the protocol waits longer, and a timer's due time stays representable.
    private const long MaxPollTimeoutMs = 60 * 60 * 1000;

    // Kafka's base for the randomised backoff after a lost election (KafkaRaftClient.RETRY_BACKOFF_BASE_MS).
    private const int ElectionBackoffBaseMs = 100;

    // Transitions in one poll before it yields: each one sends what its new state needs and returns 0 when it moved on.
    private const int MaxTransitionsPerPoll = 8;

    private readonly RaftConfig _config;
    private readonly IRaftLog _log;
    private readonly IQuorumStateStore _quorumState;
    private readonly IRaftChannel _channel;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly Lock _pollLock = new();
    private readonly ConcurrentQueue<object> _inbound = new();
    private readonly PollWakeup _wakeup = new();
    private readonly RequestManager _requests;
    private readonly List<ListenerContext> _listeners = [];
    private readonly List<HeldFetch> _heldFetches = [];
    private readonly int[] _voters;
    private readonly int[] _otherVoters;
    private readonly bool _isVoter;
    private EpochState _state = null!;
    private volatile BatchAccumulator? _accumulator;
    private long _highWatermark = -1;
    private long _leaderAndEpoch = Pack(LeaderAndEpoch.Unknown);
    private long _nextRequestId;
    private long _shutdownDeadlineMs = -1;
    private volatile bool _shutdownComplete;
    private bool _initialized;
    private int _disposed;

    public KafkaRaftClient(RaftConfig config, IRaftLog log, IQuorumStateStore quorumState, IRaftChannel channel, TimeProvider time,
        Random random, ILogger<KafkaRaftClient> logger)
    {
        ArgumentNullException.ThrowIfNull(config);
        ValidateConfig(config);
        _config = config;
        _log = log;
        _quorumState = quorumState;
        _channel = channel;
        _time = time;
        _random = random;
        _logger = logger;
        _requests = new RequestManager(config.RetryBackoffMs, config.RequestTimeoutMs);
        _voters = [.. config.Voters];
        _otherVoters = Array.FindAll(_voters, v => v != config.NodeId);
        _isVoter = config.IsVoter;
    }

    /// <summary>The leader and epoch as this node knows them; a resigned leader still names itself until a new epoch begins.</summary>
    public LeaderAndEpoch LeaderAndEpoch => Unpack(Volatile.Read(ref _leaderAndEpoch));

    /// <summary>The committed offset (exclusive) as this node knows it, never moving back; -1 until known after a start.</summary>
    public long HighWatermark => Volatile.Read(ref _highWatermark);

    /// <summary>The newest snapshot in the log, so that a caller can tell whether a snapshot at some offset exists.</summary>
    public OffsetAndEpoch? LatestSnapshotId
    {
        get
        {
            lock (_pollLock)
            {
                return _log.LatestSnapshotId;
            }
        }
    }

    /// <summary>True once a shutdown finished: a leader resigned and handed over, or the shutdown timed out.</summary>
    public bool IsShutdownComplete => _shutdownComplete;

    /// <summary>The current state, for tests on the poll thread.</summary>
    internal EpochState State => _state;

    internal bool IsLeader => _state is LeaderState;

    /// <summary>The leader's own high watermark (what it tells followers), -1 elsewhere or before the first commit of its epoch.</summary>
    internal long LeaderHighWatermark => _state is LeaderState leader ? leader.HighWatermark : -1;

    /// <summary>Adds a listener; only before <see cref="Initialize"/>, so that it sees the log from the start or the latest snapshot.</summary>
    public void Register(IRaftListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_pollLock)
        {
            if (_initialized)
            {
                throw new InvalidOperationException("listeners are registered before Initialize");
            }

            _listeners.Add(new ListenerContext(listener));
        }
    }

    /// <summary>
    /// Reads the quorum state and the log, loads the latest snapshot into the listeners and takes the state the node
    /// stopped in (kafka: <c>QuorumState.initialize</c>): a leader comes back resigned in its epoch, a candidate stands
    /// again in its epoch, a voter that voted stays bound to that vote; a single voter elects itself at once.
    /// </summary>
    public void Initialize()
    {
        lock (_pollLock)
        {
            ThrowIfDisposed();
            if (_initialized)
            {
                throw new InvalidOperationException("the Raft client is already initialized");
            }

            var now = NowMs();
            var stored = _quorumState.Read();
            var epoch = Math.Max(stored?.LeaderEpoch ?? 0, 0);
            var leaderId = stored?.LeaderId ?? -1;
            var votedId = stored?.VotedId ?? -1;
            var logEpoch = _log.LastFetchedEpoch;

            EpochState initial;
            if (epoch < logEpoch)
            {
                RaftLog.QuorumStateBehindLog(_logger, epoch, logEpoch);
                initial = new UnattachedState(logEpoch, votedId: -1, ElectionDeadline(now));
            }
            else if (_isVoter && leaderId == _config.NodeId)
            {
                // As Kafka: a leader that restarts resigns in its epoch, so that it cannot vote for another leader of it and
                // cannot reuse an offset of that epoch for a different record after losing an unflushed tail.
                initial = new ResignedState(epoch, _config.NodeId, [], _otherVoters, ElectionDeadline(now));
            }
            else if (leaderId >= 0 && leaderId != _config.NodeId && Array.IndexOf(_voters, leaderId) >= 0)
            {
                initial = new FollowerState(epoch, leaderId, _isVoter ? votedId : -1, now + _config.FetchTimeoutMs);
            }
            else if (_isVoter && votedId == _config.NodeId)
            {
                initial = new CandidateState(epoch, _config.NodeId, new ElectionTally(_voters, _config.NodeId), ElectionDeadline(now), retries: 1);
            }
            else
            {
                initial = new UnattachedState(epoch, _isVoter ? votedId : -1, ElectionDeadline(now));
            }

            TransitionTo(initial, durable: true);
            _initialized = true;

            // What the log last knew as committed, and what a snapshot holds, is committed still: listeners may have it
            // at once, without waiting for a leader to say so again.
            var committed = Math.Max(_log.HighWatermark, _log.LatestSnapshotId?.Offset ?? 0);
            if (committed > 0)
            {
                SetHighWatermark(committed);
            }

            LoadSnapshotIntoListeners();

            if (_isVoter && _voters.Length == 1)
            {
                if (_state is not CandidateState)
                {
                    TransitionToCandidate(now);
                }
                else
                {
                    MaybeBecomeLeader((CandidateState)_state, now);
                }
            }
        }
    }

    /// <summary>
    /// Handles what arrived since the last poll, runs the timers of the current state and tells listeners what
    /// committed. Call from one thread only; returns how long until it must run again (earlier if something arrives).
    /// </summary>
    public TimeSpan Poll()
    {
        lock (_pollLock)
        {
            ThrowIfDisposed();
            if (!_initialized)
            {
                throw new InvalidOperationException("the Raft client is polled before Initialize");
            }

            DrainInbound();
            var timeoutMs = 0L;
            for (var i = 0; i < MaxTransitionsPerPoll && timeoutMs == 0; i++)
            {
                timeoutMs = PollState(NowMs());
            }

            timeoutMs = Math.Min(timeoutMs, ExpireHeldFetches(NowMs()));
            PollListeners();
            return TimeSpan.FromMilliseconds(Math.Clamp(timeoutMs, 0, MaxPollTimeoutMs));
        }
    }

    /// <summary>
    /// Queues a Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch, FetchSnapshot or DescribeQuorum request from any thread.
    /// <paramref name="respond"/> is called once, from a later <see cref="Poll"/> (a Fetch with nothing new waits up to its
    /// MaxWaitMs), with the response to write at the request's version.
    /// </summary>
    public void HandleRequest(IApiMessage request, Action<IKafkaMessage> respond)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(respond);
        if (request is not (VoteRequest or BeginQuorumEpochRequest or EndQuorumEpochRequest or FetchRequest or FetchSnapshotRequest
            or DescribeQuorumRequest))
        {
            throw new ArgumentException($"{request.GetType().Name} is not a request of the Raft quorum", nameof(request));
        }

        _inbound.Enqueue(new InboundRequest(request, respond));
        _wakeup.Signal();
    }

    /// <summary>
    /// Appends <paramref name="records"/> as one batch in <paramref name="epoch"/>, from any thread, and returns the offset of
    /// its last record. The batch commits once a majority has it; listeners see it then. Throws
    /// <see cref="NotLeaderException"/> when this node does not lead <paramref name="epoch"/>; a batch accepted just before
    /// leadership ends is dropped and never commits, which listeners see as a leader change without that batch.
    /// </summary>
    public long ScheduleAtomicAppend(int epoch, IReadOnlyList<ReadOnlyMemory<byte>> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var accumulator = _accumulator ?? throw new NotLeaderException($"this node does not lead epoch {epoch}");
        var lastOffset = accumulator.Append(epoch, records, NowMs(), WallMs(), out var wakeUp);
        if (wakeUp)
        {
            _wakeup.Signal();
        }

        return lastOffset;
    }

    /// <summary>
    /// Drops pending appends and an unfinished snapshot download. Cancel and await <see cref="RunAsync"/> first: requests
    /// still queued or held are not answered after this.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        lock (_pollLock)
        {
            _accumulator?.Close();
            _accumulator = null;
            if (_state is FollowerState { Snapshot: { } download })
            {
                download.Dispose();
            }
        }
    }

    private static void ValidateConfig(RaftConfig config)
    {
        if (config.NodeId < 0)
        {
            throw new ArgumentException($"node id {config.NodeId} is negative", nameof(config));
        }

        if (config.Voters.Count == 0)
        {
            throw new ArgumentException("controller.quorum.voters names no voter", nameof(config));
        }

        var seen = new HashSet<int>();
        foreach (var voter in config.Voters)
        {
            if (voter < 0 || !seen.Add(voter))
            {
                throw new ArgumentException($"controller.quorum.voters names voter {voter} twice or with a negative id", nameof(config));
            }
        }

        if (config.ElectionTimeoutMs <= 0 || config.FetchTimeoutMs <= 0 || config.RequestTimeoutMs <= 0 || config.ElectionBackoffMaxMs <= 0
            || config.RetryBackoffMs < 0 || config.AppendLingerMs < 0 || config.FetchMaxWaitMs < 0 || config.FetchMaxBytes <= 0)
        {
            throw new ArgumentException("the controller.quorum timeouts must be positive", nameof(config));
        }
    }

    private static long Pack(LeaderAndEpoch value) => ((long)value.LeaderId << 32) | (uint)value.Epoch;

    private static LeaderAndEpoch Unpack(long packed) => new((int)(packed >> 32), (int)(packed & 0xFFFF_FFFF));

    private long NowMs()
    {
        var timestamp = _time.GetTimestamp();
        var frequency = _time.TimestampFrequency;
        return timestamp / frequency * 1000 + timestamp % frequency * 1000 / frequency;
    }

    private long WallMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    /// <summary>Kafka's election timeout: the configured one plus up to as much again at random, so that voters rarely stand together.</summary>
    private long ElectionDeadline(long nowMs) =>
        _isVoter ? nowMs + _config.ElectionTimeoutMs + _random.Next(_config.ElectionTimeoutMs) : long.MaxValue;

    /// <summary>Kafka's binary exponential backoff after a lost election, capped at controller.quorum.election.backoff.max.ms.</summary>
    private long ElectionBackoffMs(int retries)
    {
        var exponent = Math.Min(20, Math.Max(retries, 1) - 1);
        return Math.Min((long)ElectionBackoffBaseMs * _random.Next(2 << exponent), _config.ElectionBackoffMaxMs);
    }

    /// <summary>
    /// The backoff of a voter named in an EndQuorumEpoch (kafka: <c>strictExponentialElectionBackoffMs</c>): the first
    /// preferred successor stands at once, each later one waits twice as long as the one before, others the longest.
    /// </summary>
    private long EndQuorumEpochBackoffMs(IReadOnlyList<int> preferredSuccessors)
    {
        var position = -1;
        for (var i = 0; i < preferredSuccessors.Count; i++)
        {
            if (preferredSuccessors[i] == _config.NodeId)
            {
                position = i;
                break;
            }
        }

        if (position == 0)
        {
            return 0;
        }

        if (position < 0)
        {
            return _config.ElectionBackoffMaxMs;
        }

        var baseMs = _config.ElectionBackoffMaxMs >> (preferredSuccessors.Count - 1);
        return Math.Min(_config.ElectionBackoffMaxMs, (long)baseMs << (position - 1));
    }

    private void DrainInbound()
    {
        // Only what is queued now: a peer that keeps sending cannot keep this poll from its timers.
        for (var count = _inbound.Count; count > 0 && _inbound.TryDequeue(out var message); count--)
        {
            var now = NowMs();
            switch (message)
            {
                case InboundRequest request:
                    HandleInboundRequest(request, now);
                    break;
                case InboundResponse response:
                    HandleInboundResponse(response, now);
                    break;
            }
        }
    }

    private void HandleInboundRequest(InboundRequest inbound, long now)
    {
        switch (inbound.Request)
        {
            case VoteRequest vote:
                Respond(inbound.Respond, HandleVoteRequest(vote, now));
                break;
            case BeginQuorumEpochRequest begin:
                Respond(inbound.Respond, HandleBeginQuorumEpochRequest(begin, now));
                break;
            case EndQuorumEpochRequest end:
                Respond(inbound.Respond, HandleEndQuorumEpochRequest(end, now));
                break;
            case FetchRequest fetch:
                HandleFetchRequest(fetch, inbound.Respond, now);
                break;
            case FetchSnapshotRequest fetchSnapshot:
                Respond(inbound.Respond, HandleFetchSnapshotRequest(fetchSnapshot, now));
                break;
            case DescribeQuorumRequest describe:
                Respond(inbound.Respond, HandleDescribeQuorumRequest(describe, now));
                break;
        }
    }

    private void HandleInboundResponse(InboundResponse inbound, long now)
    {
        if (!_requests.IsExpected(inbound.Source, inbound.RequestId))
        {
            // An answer to a request of an earlier state, or one that timed out: what it says may be stale.
            return;
        }

        var handled = inbound.Response switch
        {
            VoteResponse vote => HandleVoteResponse(inbound.Source, vote, now),
            BeginQuorumEpochResponse begin => HandleBeginQuorumEpochResponse(inbound.Source, begin, now),
            EndQuorumEpochResponse end => HandleEndQuorumEpochResponse(inbound.Source, end, now),
            FetchResponse fetch => HandleFetchResponse(inbound.Source, fetch, now),
            FetchSnapshotResponse fetchSnapshot => HandleFetchSnapshotResponse(inbound.Source, fetchSnapshot, now),
            _ => false,
        };
        _requests.OnResult(inbound.Source, inbound.RequestId, handled, now);
    }

    private void Respond(Action<IKafkaMessage> respond, IKafkaMessage response)
    {
        try
        {
            respond(response);
        }
        catch (Exception exception)
        {
            // The caller's connection failed; the quorum goes on and the peer asks again.
            RaftLog.RespondFailed(_logger, response.GetType().Name, exception);
        }
    }

    /// <summary>Sends a request unless one is in flight to that node or it backs off; returns how long until it may send again.</summary>
    private long MaybeSend(int destination, RequestBuilder build, long now)
    {
        if (_requests.IsBackingOff(destination, now))
        {
            return _requests.RemainingMs(destination, now);
        }

        if (_requests.IsReady(destination, now))
        {
            var requestId = ++_nextRequestId;
            var request = build(destination);
            _requests.OnSent(destination, requestId, now);
            _channel.Send(destination, request, response =>
            {
                _inbound.Enqueue(new InboundResponse(destination, requestId, response));
                _wakeup.Signal();
            });
        }

        return _requests.RemainingMs(destination, now);
    }

    private long PollState(long now)
    {
        if (_shutdownDeadlineMs >= 0 && MaybeCompleteShutdown(now))
        {
            return long.MaxValue;
        }

        return _state switch
        {
            LeaderState leader => PollLeader(leader, now),
            CandidateState candidate => PollCandidate(candidate, now),
            ProspectiveState prospective => PollProspective(prospective, now),
            FollowerState follower => _isVoter ? PollFollowerAsVoter(follower, now) : PollFollowerAsObserver(follower, now),
            UnattachedState unattached => _isVoter ? PollUnattachedAsVoter(unattached, now) : MaybeSendAnyVoterFetch(now),
            ResignedState resigned => PollResigned(resigned, now),
            _ => throw new InvalidOperationException($"unknown Raft state {_state}"),
        };
    }

    private long PollLeader(LeaderState state, long now)
    {
        if (state.ResignRequested || _shutdownDeadlineMs >= 0 || state.HasCheckQuorumExpired(now))
        {
            if (!state.ResignRequested && _shutdownDeadlineMs < 0)
            {
                RaftLog.CheckQuorumExpired(_logger, state.Epoch, _config.FetchTimeoutMs * 3 / 2);
            }

            TransitionToResigned(state.SuccessorsByDescendingOffset(), now);
            return 0;
        }

        var untilDrain = MaybeAppendBatches(state, now);
        var untilBeginQuorumEpoch = MaybeSendBeginQuorumEpoch(state, now);
        return Math.Min(untilDrain, Math.Min(untilBeginQuorumEpoch, state.CheckQuorumRemainingMs(now)));
    }

    private long PollCandidate(CandidateState state, long now)
    {
        if (state.IsBackingOff)
        {
            if (now >= state.BackoffDeadlineMs)
            {
                TransitionToProspective(now, state.Retries);
                return 0;
            }

            return state.BackoffDeadlineMs - now;
        }

        if (now >= state.ElectionDeadlineMs)
        {
            StartElectionBackoff(state, now);
            return state.BackoffDeadlineMs - now;
        }

        return Math.Min(SendVoteRequests(state.Tally, preVote: false, now), state.ElectionDeadlineMs - now);
    }

    private long PollProspective(ProspectiveState state, long now)
    {
        if (state.Tally.IsRejected || now >= state.ElectionDeadlineMs)
        {
            // The pre-vote failed: back to the leader it followed, if any, or to waiting in the same epoch.
            if (state.HasLeader)
            {
                TransitionToFollower(state.Epoch, state.LeaderId, now);
            }
            else
            {
                TransitionTo(new UnattachedState(state.Epoch, state.VotedId, ElectionDeadline(now)), durable: false);
            }

            return 0;
        }

        return Math.Min(SendVoteRequests(state.Tally, preVote: true, now), state.ElectionDeadlineMs - now);
    }

    private long PollUnattachedAsVoter(UnattachedState state, long now)
    {
        if (_shutdownDeadlineMs < 0 && now >= state.ElectionDeadlineMs)
        {
            TransitionToProspective(now, retries: 0);
            return 0;
        }

        return Math.Max(0, state.ElectionDeadlineMs - now);
    }

    private long PollFollowerAsVoter(FollowerState state, long now)
    {
        if (_shutdownDeadlineMs < 0 && now >= state.FetchDeadlineMs)
        {
            RaftLog.FetchTimedOut(_logger, state.LeaderId, state.Epoch);
            TransitionToProspective(now, retries: 0);
            return 0;
        }

        return Math.Min(MaybeSendFetchOrFetchSnapshot(state, state.LeaderId, now), Math.Max(0, state.FetchDeadlineMs - now));
    }

    private long PollFollowerAsObserver(FollowerState state, long now)
    {
        // An observer never stands; when its leader goes quiet it asks any voter, whose answer names the current leader.
        if (now >= state.FetchDeadlineMs || _requests.HasRequestTimedOut(state.LeaderId, now) || _requests.IsBackingOff(state.LeaderId, now))
        {
            return MaybeSendAnyVoterFetch(now);
        }

        return Math.Min(MaybeSendFetchOrFetchSnapshot(state, state.LeaderId, now), state.FetchDeadlineMs - now);
    }

    private long PollResigned(ResignedState state, long now)
    {
        var untilRetry = long.MaxValue;
        foreach (var voter in state.UnackedVoters)
        {
            untilRetry = Math.Min(untilRetry, MaybeSend(voter, _ => BuildEndQuorumEpochRequest(state), now));
        }

        if (_shutdownDeadlineMs >= 0)
        {
            return Math.Min(untilRetry, Math.Max(0, _shutdownDeadlineMs - now));
        }

        if (now >= state.ElectionDeadlineMs)
        {
            TransitionToCandidate(now);
            return 0;
        }

        return Math.Min(untilRetry, state.ElectionDeadlineMs - now);
    }

    private long MaybeSendAnyVoterFetch(long now)
    {
        if (_requests.HasAnyInflight(now))
        {
            return _requests.MinRemainingMs(now, _config.RetryBackoffMs);
        }

        var start = _random.Next(_voters.Length);
        for (var i = 0; i < _voters.Length; i++)
        {
            var voter = _voters[(start + i) % _voters.Length];
            if (voter != _config.NodeId && _requests.IsReady(voter, now))
            {
                return MaybeSend(voter, _ => BuildFetchRequest(), now);
            }
        }

        return _requests.MinRemainingMs(now, _config.RetryBackoffMs);
    }

    // A delegate of its own: an interface with static abstract members (IApiMessage) cannot be a generic type argument.
    private delegate IApiMessage RequestBuilder(int destination);

    private sealed record InboundRequest(IApiMessage Request, Action<IKafkaMessage> Respond);

    private sealed record InboundResponse(int Source, long RequestId, IKafkaMessage? Response);
}
