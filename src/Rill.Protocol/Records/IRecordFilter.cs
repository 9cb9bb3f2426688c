namespace Rill.Protocol.Records;

/// <summary>Decides, record by record and in offset order, which records <see cref="RecordBatchFilter"/> keeps.</summary>
public interface IRecordFilter
{
    bool Retain(in RecordView record);
}
