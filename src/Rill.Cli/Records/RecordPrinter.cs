using Confluent.Kafka;

namespace Rill.Cli.Records;

/// <summary>
/// The consume loop: subscribes (group, no --partition) or assigns partitions, prints each record, stores its
/// offset for the group's commit, and stops at -n records, at the end of every partition (-e) or on Ctrl-C.
/// Runs on its own thread: librdkafka's Consume blocks.
/// </summary>
internal sealed class RecordPrinter
{
    /// <summary>How long one Consume waits when no record is buffered; bounds how late Ctrl-C is noticed.</summary>
    private static readonly TimeSpan PollWait = TimeSpan.FromMilliseconds(200);

    private readonly CliContext _context;
    private readonly ConsumeRequest _request;
    private readonly Dictionary<TopicPartition, Offset> _starts;
    private readonly Action<double> _report;
    private readonly HashSet<TopicPartition> _atEnd = [];

    public RecordPrinter(CliContext context, ConsumeRequest request, Dictionary<TopicPartition, Offset> starts, Action<double> report)
    {
        _context = context;
        _request = request;
        _starts = starts;
        _report = report;
    }

    /// <summary>Consumes until done; returns the number of records printed.</summary>
    public long Run(CancellationToken cancellationToken)
    {
        var subscribe = _request.Group is not null && _request.Partition is null;
        KafkaNative.EnsureLoaded();
        var config = _context.Configure(new ConsumerConfig
        {
            // Confluent.Kafka requires a group id even to assign; a throwaway one never joins or commits.
            GroupId = _request.Group ?? $"rill-cli-{Guid.NewGuid():N}",
            EnableAutoCommit = _request.Group is not null,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = _request.FromBeginning ? AutoOffsetReset.Earliest : AutoOffsetReset.Latest,
            EnablePartitionEof = true,
            AllowAutoCreateTopics = false,
        });
        var builder = new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetErrorHandler((_, error) => _context.Diagnose(error))
            .SetLogHandler((_, log) => _context.Diagnose(log));
        if (subscribe)
        {
            builder.SetPartitionsAssignedHandler((_, assigned) =>
                assigned.Select(tp => new TopicPartitionOffset(tp, _starts.GetValueOrDefault(tp, Offset.Stored))));
        }

        using var consumer = builder.Build();
        if (subscribe)
        {
            consumer.Subscribe(_request.Topic);
        }
        else
        {
            consumer.Assign(_starts.Select(s => new TopicPartitionOffset(s.Key, s.Value)));
        }

        long printed = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested && (_request.Count is not { } limit || printed < limit))
            {
                var result = Next(consumer, cancellationToken);
                if (result is null)
                {
                    continue;
                }

                if (result.IsPartitionEOF)
                {
                    _atEnd.Add(result.TopicPartition);
                    if (_request.ExitAtEnd && EveryPartitionAtEnd(consumer))
                    {
                        break;
                    }

                    continue;
                }

                _atEnd.Remove(result.TopicPartition);
                Print(result);
                printed++;
                _report(printed);
                if (_request.Group is not null)
                {
                    consumer.StoreOffset(result);
                }
            }

            _context.Console.Out.Flush();
        }
        catch (OutputClosedException)
        {
            // The reader went away (| head -1): stop as a filter would; what was stored so far is committed below.
        }
        finally
        {
            Finish(consumer);
        }

        return printed;
    }

    /// <summary>The next record or event; flushes stdout before waiting so a slow topic still shows its lines promptly.</summary>
    private ConsumeResult<byte[]?, byte[]?>? Next(IConsumer<byte[]?, byte[]?> consumer, CancellationToken cancellationToken)
    {
        try
        {
            var result = consumer.Consume(TimeSpan.Zero);
            if (result is not null)
            {
                return result;
            }

            _context.Console.Out.Flush();
            return cancellationToken.IsCancellationRequested ? null : consumer.Consume(PollWait);
        }
        catch (ConsumeException exception)
        {
            var error = exception.Error;
            throw error.Code is ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic or ErrorCode.Local_UnknownPartition
                ? KafkaErrors.ForTopic(_request.Topic, error)
                : _request.Group is { } group && error.Code is ErrorCode.GroupAuthorizationFailed or ErrorCode.InvalidGroupId
                    ? KafkaErrors.ForGroup(group, error)
                    : CliException.Failed($"consuming {_request.Topic} failed: {KafkaErrors.Reason(error)}");
        }
    }

    private bool EveryPartitionAtEnd(IConsumer<byte[]?, byte[]?> consumer)
    {
        var assignment = consumer.Assignment;
        return assignment.Count > 0 && assignment.All(_atEnd.Contains);
    }

    private void Print(ConsumeResult<byte[]?, byte[]?> result)
    {
        if (_context.Json)
        {
            var headers = result.Message.Headers is { } h
                ? h.Select(header => new RecordHeader(header.Key, header.GetValueBytes() is { } bytes ? RecordFormat.Text(bytes) : null)).ToList()
                : [];
            _context.WriteJsonLine(new ConsumedRecord(
                result.Topic,
                result.Partition.Value,
                result.Offset.Value,
                result.Message.Timestamp.UnixTimestampMs,
                result.Message.Key is { } key ? RecordFormat.Text(key) : null,
                result.Message.Value is { } value ? RecordFormat.Text(value) : null,
                headers));
        }
        else
        {
            _request.Format.Write(_context.Console.Out, result);
        }

        if (_context.Console.IsOutputTerminal)
        {
            _context.Console.Out.Flush();
        }
    }

    /// <summary>Commits the offsets of what was printed (in a group), then leaves cleanly.</summary>
    private void Finish(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (_request.Group is not null)
        {
            try
            {
                consumer.Commit();
            }
            catch (KafkaException exception) when (exception.Error.Code == ErrorCode.Local_NoOffset)
            {
                // Nothing was printed, so there is nothing to commit.
            }
        }

        consumer.Close();
    }
}
