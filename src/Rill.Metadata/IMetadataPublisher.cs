namespace Rill.Metadata;

/// <summary>
/// Told of every new image after its records are durable, in log order; the broker uses it to create and
/// delete partition logs. Called by the <see cref="MetadataLoader"/>, one image at a time.
/// </summary>
public interface IMetadataPublisher
{
    void Publish(MetadataImage previous, MetadataImage current);
}
