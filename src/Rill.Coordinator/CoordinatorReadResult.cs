using Rill.Common;

namespace Rill.Coordinator;

/// <summary>
/// Whole batches read by <see cref="ICoordinatorLog.Read"/> and the offset to read next. <see cref="Records"/> stays
/// valid until <see cref="Dispose"/>, which returns the owner's buffer.
/// </summary>
public sealed record CoordinatorReadResult(ErrorCode ErrorCode, ReadOnlyMemory<byte> Records, long NextOffset, IDisposable? Owner)
    : IDisposable
{
    public static CoordinatorReadResult Of(ReadOnlyMemory<byte> records, long nextOffset, IDisposable? owner) =>
        new(ErrorCode.None, records, nextOffset, owner);

    public static CoordinatorReadResult Failed(ErrorCode errorCode) => new(errorCode, ReadOnlyMemory<byte>.Empty, -1, null);

    public void Dispose() => Owner?.Dispose();
}
