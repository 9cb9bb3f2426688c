using Rill.Common;

namespace Rill.Replication;

/// <summary>
/// A Fetch waiting up to max.wait.ms for min.bytes (kafka: <c>DelayedFetch</c>). It tries again whenever one of its
/// partitions is appended to, its high watermark moves, its leadership changes or it is removed: an error on any
/// partition, or enough bytes, answers at once; otherwise the timeout answers with what is there then.
/// </summary>
internal sealed class DelayedFetch : DelayedOperation
{
    private readonly ReplicaManager _replicas;
    private readonly FetchParams _params;
    private readonly IReadOnlyList<FetchPartitionRequest> _partitions;
    private readonly TaskCompletionSource<FetchResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DelayedFetch(ReplicaManager replicas, FetchParams fetchParams, IReadOnlyList<FetchPartitionRequest> partitions)
    {
        _replicas = replicas;
        _params = fetchParams;
        _partitions = partitions;
    }

    public Task<FetchResult> Task => _completion.Task;

    protected override bool TryCompleteLocked()
    {
        var read = _replicas.ReadFromLocalLog(_replicas.Image, _params, _partitions, updateFetchState: false);
        if ((read.TotalBytes < _params.MinBytes && !read.AnyError && !read.AnyDivergence) || !ForceComplete())
        {
            read.Dispose();
            return false;
        }

        _completion.TrySetResult(read);
        return true;
    }

    protected override void OnExpired() => _completion.TrySetResult(_replicas.ReadFromLocalLog(_replicas.Image, _params, _partitions, updateFetchState: false));

    protected override void OnCancelled() => _completion.TrySetCanceled();
}
