using System.Buffers;

namespace Rill.Protocol;

/// <summary>
/// Record bytes that live somewhere other than memory (a region of a segment file) behind a
/// <see cref="ReadOnlyMemory{T}"/>, so a response can carry them like any other records field.
/// <see cref="KafkaWriter.WriteRecords"/> recognises it and copies the bytes straight into the response buffer:
/// one copy from the page cache to the socket's pipe, where a pooled read buffer would make two. Kestrel's pipes
/// give no way to hand the kernel a file for sendfile, so this single copy is the least a pipe allows.
/// </summary>
public abstract class RecordsRegionManager : MemoryManager<byte>
{
    /// <summary>Copies <paramref name="destination"/>.Length bytes from <paramref name="start"/> within the region.</summary>
    public abstract void CopyTo(int start, Span<byte> destination);
}
