namespace Rill.Protocol.Records;

/// <summary>A compressed batch inflates past the limit the caller set (a zip bomb, or a limit set too low).</summary>
internal sealed class DecompressionLimitException(long size, long limit)
    : Exception($"compressed records inflate to at least {size} bytes, over the limit of {limit}");
