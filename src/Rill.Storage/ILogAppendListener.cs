using Rill.Common;

namespace Rill.Storage;

/// <summary>
/// Told after every successful append, once the new log end offset is visible to readers, so the layer
/// above can wake long-polling fetches and acks waiters without polling. Called on the appending thread,
/// outside the append lock: keep it short and never throw (a throw is logged and swallowed).
/// </summary>
public interface ILogAppendListener
{
    void OnAppend(TopicPartition topicPartition, long logEndOffset);
}
