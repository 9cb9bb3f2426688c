using Rill.Common;

namespace Rill.Storage;

/// <summary>
/// One partition's log could not be created or opened (out of file handles or disk space, no data directory online,
/// or its files could not be loaded). Only that partition is affected: it answers KAFKA_STORAGE_ERROR, its data
/// directory stays online, and <see cref="LogManager.GetOrCreateLog"/> tries again once
/// <see cref="LogManager.CreationRetryBackoff"/> has passed since the last attempt.
/// </summary>
public sealed class LogCreationException : KafkaException
{
    public LogCreationException(TopicPartition topicPartition, string message)
        : base(ErrorCode.KafkaStorageError, message)
    {
        TopicPartition = topicPartition;
    }

    public LogCreationException(TopicPartition topicPartition, string message, Exception innerException)
        : base(ErrorCode.KafkaStorageError, message, innerException)
    {
        TopicPartition = topicPartition;
    }

    public TopicPartition TopicPartition { get; }
}
