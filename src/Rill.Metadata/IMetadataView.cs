namespace Rill.Metadata;

/// <summary>
/// The broker's read-only view of the cluster metadata: the latest image the <see cref="MetadataLoader"/> applied.
/// Handlers read it without locks; it changes by one reference swap per committed batch.
/// </summary>
public interface IMetadataView
{
    MetadataImage Image { get; }
}
