using Rill.Metadata;

namespace Rill.Server.Quorum;

/// <summary>
/// The metadata log as the active controller of one Raft epoch writes it: each append goes to the quorum as leader of
/// that epoch and completes once this node's loader has applied it (which means the quorum committed it). A later
/// epoch ends the term: its appends fail with <see cref="NotControllerException"/>.
/// </summary>
internal sealed class TermMetadataLog : IMetadataLog
{
    private readonly MetadataQuorum _quorum;
    private readonly MetadataLoader _loader;

    public TermMetadataLog(MetadataQuorum quorum, MetadataLoader loader, int epoch)
    {
        _quorum = quorum;
        _loader = loader;
        Epoch = epoch;
    }

    public int Epoch { get; }

    public async Task<long> AppendAsync(IReadOnlyList<ApiMessageAndVersion> records, CancellationToken cancellationToken)
    {
        var offset = _quorum.Append(Epoch, records);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var applied = _loader.WaitForOffsetAsync(offset, waiting.Token);
            while (!applied.IsCompleted)
            {
                var seen = _quorum.Leader;
                if (seen.Epoch != Epoch || seen.LeaderId != _quorum.NodeId)
                {
                    // A new leader may still commit the batch (it was replicated), but this term can no longer say so.
                    throw new NotControllerException($"Node {_quorum.NodeId} lost the leadership of epoch {Epoch} before offset {offset} was committed.");
                }

                await Task.WhenAny(applied, _quorum.LeaderChangedAsync(seen, waiting.Token)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }

            await applied.ConfigureAwait(false);
            return offset;
        }
        finally
        {
            await waiting.CancelAsync().ConfigureAwait(false);
        }
    }
}
