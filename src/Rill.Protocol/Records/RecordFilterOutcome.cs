namespace Rill.Protocol.Records;

/// <summary>What <see cref="RecordBatchFilter.FilterTo"/> did with one batch.</summary>
public enum RecordFilterOutcome
{
    /// <summary>Every record was kept and nothing needed stamping: the original bytes were written.</summary>
    Unchanged,

    /// <summary>Some records were dropped, or a delete horizon was stamped: a rebuilt batch was written.</summary>
    Rewritten,

    /// <summary>No record was kept: nothing was written (the caller may keep the header with <see cref="RecordBatchFilter.WriteEmptyBatch"/>).</summary>
    Emptied,

    /// <summary>The records do not parse or decompress: nothing was written.</summary>
    Corrupt,
}
