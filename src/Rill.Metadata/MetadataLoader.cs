using Microsoft.Extensions.Logging;

namespace Rill.Metadata;

/// <summary>
/// Runs on every node (kafka: MetadataLoader): turns committed record batches into a new <see cref="MetadataImage"/>
/// through <see cref="MetadataDelta"/>, swaps it in with one volatile write per batch and tells the publishers. A
/// snapshot replaces the image outright. The controller only appends records; what the node serves changes here, and
/// only for committed batches, in the order the quorum committed them.
/// </summary>
public sealed class MetadataLoader : IMetadataView
{
    private readonly ILogger _logger;
    private readonly List<IMetadataPublisher> _publishers = [];
    private readonly List<(long Offset, TaskCompletionSource Applied)> _waiters = [];
    private readonly Lock _lock = new();
    private MetadataImage _image = MetadataImage.Empty;

    public MetadataLoader(ILogger<MetadataLoader> logger)
    {
        _logger = logger;
    }

    /// <summary>The latest applied image; handlers read it without locks.</summary>
    public MetadataImage Image => Volatile.Read(ref _image);

    /// <summary>Adds a publisher and hands it the current image at once, as if it had been there from the start.</summary>
    public void AddPublisher(IMetadataPublisher publisher)
    {
        lock (_lock)
        {
            _publishers.Add(publisher);
            publisher.Publish(MetadataImage.Empty, _image);
        }
    }

    /// <summary>Applies one committed batch.</summary>
    public void HandleCommit(MetadataBatch batch)
    {
        lock (_lock)
        {
            var delta = new MetadataDelta(_image);
            foreach (var record in batch.Records)
            {
                delta.Replay(record.Message);
            }

            PublishLocked(delta.Apply(batch.LastOffset));
        }
    }

    /// <summary>Replaces the image with a snapshot's: everything up to <paramref name="lastOffset"/> (kafka: handleLoadSnapshot).</summary>
    public void LoadSnapshot(long lastOffset, IEnumerable<ApiMessageAndVersion> records)
    {
        lock (_lock)
        {
            var delta = new MetadataDelta(MetadataImage.Empty);
            var count = 0;
            foreach (var record in records)
            {
                delta.Replay(record.Message);
                count++;
            }

            PublishLocked(delta.Apply(lastOffset));
            MetadataLog.SnapshotLoaded(_logger, count, lastOffset, _image.Topics.Count);
        }
    }

    /// <summary>Completes once the image has applied every record up to <paramref name="offset"/>.</summary>
    public Task WaitForOffsetAsync(long offset, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_image.Offset >= offset)
            {
                return Task.CompletedTask;
            }

            var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((offset, applied));
            return applied.Task.WaitAsync(cancellationToken);
        }
    }

    private void PublishLocked(MetadataImage next)
    {
        var previous = _image;
        Volatile.Write(ref _image, next);
        foreach (var publisher in _publishers)
        {
            publisher.Publish(previous, next);
        }

        _waiters.RemoveAll(waiter =>
        {
            if (waiter.Offset > next.Offset)
            {
                return false;
            }

            waiter.Applied.TrySetResult();
            return true;
        });
    }
}
