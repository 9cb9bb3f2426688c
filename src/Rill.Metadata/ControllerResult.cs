namespace Rill.Metadata;

/// <summary>
/// What a controller operation decided (kafka: ControllerResult): the records to append and the response to send once
/// they are committed. No records means nothing changes (an error, or validate-only).
/// </summary>
public sealed record ControllerResult<TResponse>(IReadOnlyList<ApiMessageAndVersion> Records, TResponse Response);
