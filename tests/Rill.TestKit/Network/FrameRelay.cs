using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Rill.TestKit.Network;

/// <summary>
/// Carries one direction of an in-memory connection. Bytes stream through as they come while the link is healthy;
/// the relay still tracks Kafka's size-prefixed frames, so that a fault applies to whole frames from the next frame
/// boundary on (a dropped request vanishes entirely instead of leaving half a frame that would corrupt the stream).
/// Bytes that do not start with a valid size (garbage a bad-input test sends) are passed on untouched.
/// </summary>
internal sealed class FrameRelay
{
    private const int SizePrefix = 4;

    private readonly PipeReader _source;
    private readonly PipeWriter _destination;
    private readonly Func<LinkFault?> _fault;
    private readonly TimeProvider _time;
    private readonly CancellationToken _reset;
    private readonly Action _dropped;

    public FrameRelay(PipeReader source, PipeWriter destination, Func<LinkFault?> fault, Action dropped, TimeProvider time, CancellationToken reset)
    {
        _dropped = dropped;
        _reset = reset;
        _source = source;
        _destination = destination;
        _fault = fault;
        _time = time;
    }

    public async Task RunAsync()
    {
        long remainingInFrame = 0;
        var dropping = false;
        var raw = false;
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = await _source.ReadAsync(_reset);
                var buffer = result.Buffer;
                while (!buffer.IsEmpty)
                {
                    if (remainingInFrame == 0 && !raw)
                    {
                        if (buffer.Length < SizePrefix)
                        {
                            break;
                        }

                        var size = ReadSize(buffer);
                        if (size < 0)
                        {
                            raw = true;
                        }
                        else
                        {
                            remainingInFrame = SizePrefix + (long)size;
                            (dropping, var delay) = Decide(_fault());
                            if (dropping)
                            {
                                _dropped();
                            }

                            if (delay > TimeSpan.Zero)
                            {
                                await Task.Delay(delay, _time, _reset);
                            }
                        }
                    }

                    var take = raw ? buffer.Length : Math.Min(remainingInFrame, buffer.Length);
                    var chunk = buffer.Slice(0, take);
                    if (!dropping)
                    {
                        foreach (var segment in chunk)
                        {
                            _destination.Write(segment.Span);
                        }
                    }

                    buffer = buffer.Slice(take);
                    if (!raw)
                    {
                        remainingInFrame -= take;
                    }
                }

                _source.AdvanceTo(buffer.Start, result.Buffer.End);
                var flush = await _destination.FlushAsync(_reset);
                if (result.IsCompleted || result.IsCanceled || flush.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_reset.IsCancellationRequested)
        {
            error = new ConnectionResetException("The in-memory connection was reset.");
        }
        catch (Exception exception)
        {
            error = exception;
        }
        finally
        {
            await _source.CompleteAsync(error);
            await _destination.CompleteAsync(error);
        }
    }

    private static (bool Drop, TimeSpan Delay) Decide(LinkFault? fault) => fault switch
    {
        LinkFault.DropFault => (true, TimeSpan.Zero),
        LinkFault.DelayFault delayed => (false, delayed.Duration),
        _ => (false, TimeSpan.Zero),
    };

    private static int ReadSize(ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[SizePrefix];
        buffer.Slice(0, SizePrefix).CopyTo(prefix);
        return BinaryPrimitives.ReadInt32BigEndian(prefix);
    }
}
