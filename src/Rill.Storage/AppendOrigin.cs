namespace Rill.Storage;

/// <summary>Who writes to the log; producers get Kafka's stricter client checks.</summary>
public enum AppendOrigin
{
    /// <summary>A Produce request: base offset 0, no control batches, no empty batches.</summary>
    Client,

    /// <summary>The broker's own writers (group and transaction coordinators): control batches allowed.</summary>
    Coordinator,
}
