namespace Rill.Raft;

/// <summary>The votes (or pre-votes) a prospective or candidate has collected in one round; it votes for itself.</summary>
internal sealed class ElectionTally
{
    private readonly Dictionary<int, bool?> _votes = [];

    public ElectionTally(IReadOnlyList<int> voters, int localId)
    {
        foreach (var voter in voters)
        {
            _votes[voter] = null;
        }

        _votes[localId] = true;
    }

    public int MajoritySize => _votes.Count / 2 + 1;

    public bool IsGranted => Count(true) >= MajoritySize;

    /// <summary>Even if every voter not yet heard from granted, there would be no majority.</summary>
    public bool IsRejected => Count(true) + Count(null) < MajoritySize;

    public IEnumerable<int> Unrecorded => Voters(null);

    public IReadOnlyList<int> Granting => [.. Voters(true)];

    public IReadOnlyList<int> Rejecting => [.. Voters(false)];

    /// <summary>Records the first answer of <paramref name="voterId"/>; a later different answer from it is ignored.</summary>
    public void Record(int voterId, bool granted)
    {
        if (_votes.TryGetValue(voterId, out var vote) && vote is null)
        {
            _votes[voterId] = granted;
        }
    }

    private int Count(bool? state)
    {
        var count = 0;
        foreach (var vote in _votes.Values)
        {
            if (vote == state)
            {
                count++;
            }
        }

        return count;
    }

    private IEnumerable<int> Voters(bool? state)
    {
        foreach (var (voter, vote) in _votes)
        {
            if (vote == state)
            {
                yield return voter;
            }
        }
    }
}
