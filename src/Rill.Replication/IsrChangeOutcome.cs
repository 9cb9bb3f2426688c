namespace Rill.Replication;

/// <summary>What a partition did with the controller's answer to its ISR change.</summary>
internal enum IsrChangeOutcome
{
    /// <summary>The change is no longer the pending one (the metadata moved the partition on): the answer is dropped.</summary>
    Ignored,

    /// <summary>Accepted; the ISR and partition epoch from the answer are committed.</summary>
    Applied,

    /// <summary>Accepted, and the high watermark moved with the new ISR.</summary>
    AppliedHighWatermarkIncreased,

    /// <summary>Refused without being tried (OPERATION_NOT_ATTEMPTED, INELIGIBLE_REPLICA): back to the committed ISR.</summary>
    Rejected,

    /// <summary>This leader's view is stale: the change stays pending until the metadata brings the partition's new state.</summary>
    Stale,

    /// <summary>A transient failure: send the same change again after a backoff.</summary>
    Retry,
}
