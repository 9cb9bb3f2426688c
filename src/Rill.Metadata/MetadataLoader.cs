using Microsoft.Extensions.Logging;

namespace Rill.Metadata;

/// <summary>
/// Runs on every node (kafka: MetadataLoader): turns committed record batches into a new <see cref="MetadataImage"/>
/// through <see cref="MetadataDelta"/>, swaps it in with one volatile write per batch and tells the publishers. The
/// controller only appends records; what the node serves changes here, and only for committed batches.
/// </summary>
public sealed class MetadataLoader : IMetadataView, IMetadataLogListener
{
    private readonly ILogger _logger;
    private readonly List<IMetadataPublisher> _publishers = [];
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

    /// <summary>Replays every batch the log holds into the first image, publishes it, and follows the log's commits from then on.</summary>
    public void Load(IMetadataLog log)
    {
        lock (_lock)
        {
            var delta = new MetadataDelta(_image);
            var records = 0;
            var offset = _image.Offset;
            foreach (var batch in log.ReadAll())
            {
                foreach (var record in batch.Records)
                {
                    delta.Replay(record.Message);
                    records++;
                }

                offset = batch.LastOffset;
            }

            PublishLocked(delta.Apply(offset));
            MetadataLog.Loaded(_logger, records, offset, _image.Topics.Count);
        }

        log.Register(this);
    }

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

    private void PublishLocked(MetadataImage next)
    {
        var previous = _image;
        Volatile.Write(ref _image, next);
        foreach (var publisher in _publishers)
        {
            publisher.Publish(previous, next);
        }
    }
}
