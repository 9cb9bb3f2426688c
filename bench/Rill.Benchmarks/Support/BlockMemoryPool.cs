using System.Buffers;
using System.Collections.Concurrent;

namespace Rill.Benchmarks.Support;

/// <summary>
/// 4 KiB blocks kept for reuse without limit, as Kestrel's PinnedBlockMemoryPool (internal to ASP.NET Core) gives
/// its socket pipes. With <see cref="MemoryPool{T}.Shared"/> instead, a burst of several hundred KiB in a pipe needs
/// more 4 KiB arrays than ArrayPool keeps per core, and the benchmark would count allocations a node does not make.
/// </summary>
public sealed class BlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 4096;

    private readonly ConcurrentQueue<Block> _blocks = new();

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        return _blocks.TryDequeue(out var block) ? block : new Block(this);
    }

    protected override void Dispose(bool disposing) => _blocks.Clear();

    private sealed class Block(BlockMemoryPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);

        public Memory<byte> Memory => _array;

        public void Dispose() => pool._blocks.Enqueue(this);
    }
}
