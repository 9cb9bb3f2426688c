using Rill.Common;

namespace Rill.Coordinator;

/// <summary>The outcome of <see cref="ICoordinatorLog.AppendAsync"/>: the batch's base offset, or why it was not written.</summary>
public readonly record struct CoordinatorAppendResult(ErrorCode ErrorCode, long BaseOffset)
{
    public static CoordinatorAppendResult Appended(long baseOffset) => new(ErrorCode.None, baseOffset);

    public static CoordinatorAppendResult Failed(ErrorCode errorCode) => new(errorCode, -1);
}
