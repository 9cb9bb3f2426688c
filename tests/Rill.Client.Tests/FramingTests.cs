using System.Buffers;
using Rill.Protocol;
using Rill.Protocol.Framing;
using Rill.Protocol.Messages;

namespace Rill.Client.Tests;

public sealed class FramingTests
{
    [Theory]
    [InlineData(ApiKey.ControlledShutdown, 0, "c", 0)]
    [InlineData(ApiKey.Metadata, 1, "perf", 1)]
    [InlineData(ApiKey.Metadata, 1, null, 1)]
    [InlineData(ApiKey.Metadata, 12, "perf", 2)]
    [InlineData(ApiKey.ApiVersions, 3, "client", 2)]
    public void RequestFrame_HasTheHeaderVersionOfTheApiKeyTable_AndDecodesAsTheBrokerReadsIt(ApiKey apiKey, short version, string? clientId, short expectedHeaderVersion)
    {
        var body = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "t" }] };
        IKafkaMessage message = apiKey switch
        {
            ApiKey.ControlledShutdown => new ControlledShutdownRequest { BrokerId = 7 },
            ApiKey.ApiVersions => new ApiVersionsRequest { ClientSoftwareName = "x", ClientSoftwareVersion = "1" },
            _ => body,
        };
        var writer = new RequestFrameWriter(clientId);

        var frame = writer.Encode(apiKey, version, correlationId: 4242, message);

        Assert.Equal(writer.SizeOf(apiKey, version, message), frame.Length);
        var sequence = new ReadOnlySequence<byte>(frame);
        Assert.Equal(FrameStatus.Complete, FrameReader.TryReadFrame(ref sequence, int.MaxValue, out var payload, out var size));
        Assert.Equal(frame.Length - 4, size);
        var bytes = payload.ToArray();
        var reader = new KafkaReader(bytes);
        var header = RequestHeader.ReadFrom(ref reader, out var headerVersion);
        Assert.Equal(expectedHeaderVersion, headerVersion);
        Assert.Equal((short)apiKey, header.RequestApiKey);
        Assert.Equal(version, header.RequestApiVersion);
        Assert.Equal(4242, header.CorrelationId);
        Assert.Equal(headerVersion == 0 ? "" : clientId, header.ClientId);
        Assert.Equal(KafkaMessage.Serialize(message, version), bytes[reader.Position..]);
    }

    [Fact]
    public void SetCorrelationId_RewritesOnlyTheId()
    {
        var frame = new RequestFrameWriter("c").Encode(ApiKey.Metadata, 12, 1, new MetadataRequest());
        var before = (byte[])frame.Clone();

        RequestFrameWriter.SetCorrelationId(frame, 0x01020304);

        Assert.Equal([1, 2, 3, 4], frame[8..12]);
        Assert.Equal(before[..8], frame[..8]);
        Assert.Equal(before[12..], frame[12..]);
    }

    [Fact]
    public void ResponseHeaderV1_SkipsTaggedFields_SpreadOverSegments()
    {
        // correlation id 9, two tagged fields (tag 0: 2 bytes, tag 5: 1 byte), then a body byte.
        byte[] bytes = [0, 0, 0, 9, 2, 0, 2, 0xAA, 0xBB, 5, 1, 0xCC, 0x77];
        var sequence = Segments(bytes, 3);

        var length = ResponseHeader.ReadFrom(sequence, headerVersion: 1, out var correlationId);

        Assert.Equal(9, correlationId);
        Assert.Equal(12, length);
    }

    [Fact]
    public void ApiVersionsResponse_HasHeaderV0_EvenAtFlexibleVersions()
    {
        Assert.Equal(0, ResponseHeader.VersionFor(ApiKey.ApiVersions, 4));
        Assert.Equal(1, ResponseHeader.VersionFor(ApiKey.Metadata, 9));
        Assert.Equal(0, ResponseHeader.VersionFor(ApiKey.Metadata, 8));
        var length = ResponseHeader.ReadFrom(new ReadOnlySequence<byte>([0, 0, 0, 1, 0, 0]), ResponseHeader.VersionFor(ApiKey.ApiVersions, 4), out var correlationId);
        Assert.Equal(4, length);
        Assert.Equal(1, correlationId);
    }

    [Fact]
    public void ResponseHeader_TruncatedInsideATaggedField_IsAProtocolException()
    {
        byte[] bytes = [0, 0, 0, 9, 1, 0, 5, 0xAA];

        Assert.Throws<ProtocolException>(() => ResponseHeader.ReadFrom(new ReadOnlySequence<byte>(bytes), headerVersion: 1, out _));
    }

    [Fact]
    public void ResponseFrame_IsReadBackByTheClientSideFraming()
    {
        var output = new ArrayBufferWriter<byte>();
        var body = new MetadataResponse { ClusterId = "abc", ControllerId = 3 };

        var written = ResponseFrameWriter.Write(output, ApiKey.Metadata, 12, correlationId: 77, body);

        Assert.Equal(output.WrittenCount, written);
        var sequence = new ReadOnlySequence<byte>(output.WrittenMemory);
        Assert.Equal(FrameStatus.Complete, FrameReader.TryReadFrame(ref sequence, FrameReader.MinimumResponseFrameSize, int.MaxValue, out var frame, out _));
        Assert.True(sequence.IsEmpty);
        var headerLength = ResponseHeader.ReadFrom(frame, ResponseHeader.VersionFor(ApiKey.Metadata, 12), out var correlationId);
        Assert.Equal(77, correlationId);
        var decoded = KafkaMessage.Deserialize<MetadataResponse>(frame.Slice(headerLength).ToArray(), 12);
        Assert.Equal("abc", decoded.ClusterId);
        Assert.Equal(3, decoded.ControllerId);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFE })]
    [InlineData(new byte[] { 0, 0, 0, 3 })]
    public void ResponseFrameSize_OutsideTheLimits_IsInvalid(byte[] prefix)
    {
        var sequence = new ReadOnlySequence<byte>(prefix);

        Assert.Equal(FrameStatus.InvalidSize, FrameReader.TryReadFrame(ref sequence, FrameReader.MinimumResponseFrameSize, 1024, out _, out _));
    }

    private static ReadOnlySequence<byte> Segments(byte[] bytes, int segmentLength)
    {
        Segment? first = null;
        Segment? last = null;
        for (var i = 0; i < bytes.Length; i += segmentLength)
        {
            var next = new Segment(bytes.AsMemory(i, Math.Min(segmentLength, bytes.Length - i)), i);
            if (last is null)
            {
                first = next;
            }
            else
            {
                last.SetNext(next);
            }

            last = next;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
