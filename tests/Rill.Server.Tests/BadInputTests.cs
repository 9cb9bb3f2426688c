using System.Buffers.Binary;
using Rill.Common;
using Rill.Protocol.Messages;
using Rill.TestKit;

namespace Rill.Server.Tests;

/// <summary>
/// Malformed frames and requests close that one connection (or get the protocol's error answer) and never
/// disturb the broker or its other clients.
/// </summary>
public sealed class BadInputTests : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);
    private readonly BrokerFixture _broker;

    public BadInputTests(BrokerFixture broker)
    {
        _broker = broker;
    }

    [Fact]
    public async Task NegativeFrameSize_ClosesTheConnection()
    {
        await AssertClosedAfterAsync([0xFF, 0xFF, 0xFF, 0xF0, 0, 18, 0, 0]);
    }

    [Fact]
    public async Task FrameLargerThanSocketRequestMaxBytes_ClosesTheConnectionBeforeTheBodyArrives()
    {
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, 1_048_577);
        await AssertClosedAfterAsync(prefix);
    }

    [Fact]
    public async Task FrameTooShortForAHeader_ClosesTheConnection()
    {
        await AssertClosedAfterAsync([0, 0, 0, 3, 0, 18, 0]);
    }

    [Fact]
    public async Task UnknownApiKey_ClosesTheConnection()
    {
        await AssertClosedAfterAsync(Frame([0x03, 0xE7, 0, 0, 0, 0, 0, 7, 0, 0]));
    }

    [Fact]
    public async Task UnsupportedVersionOfMetadata_ClosesTheConnection()
    {
        await AssertClosedAfterAsync(WithVersion(RawKafkaClient.Encode(ApiKey.Metadata, 12, 1, "c", new MetadataRequest()), 99));
    }

    [Fact]
    public async Task TruncatedBody_ClosesTheConnection()
    {
        // Metadata v1: topics array says 5 entries, but the frame ends right after the count.
        await AssertClosedAfterAsync(Frame([0, 3, 0, 1, 0, 0, 0, 9, 0, 1, (byte)'c', 0, 0, 0, 5]));
    }

    [Fact]
    public async Task HugeArrayCountInASmallFrame_ClosesTheConnection()
    {
        await AssertClosedAfterAsync(Frame([0, 3, 0, 1, 0, 0, 0, 9, 0, 1, (byte)'c', 0x7F, 0xFF, 0xFF, 0xFF]));
    }

    [Fact]
    public async Task RandomBytes_CloseTheConnection_AndOtherClientsAreStillServed()
    {
        var random = new Random(20261124);
        await using var healthy = await _broker.ConnectAsync();
        for (var i = 0; i < 20; i++)
        {
            var garbage = new byte[random.Next(1, 400)];
            random.NextBytes(garbage);
            BinaryPrimitives.WriteInt32BigEndian(garbage, garbage.Length - 4);
            if (garbage.Length >= 6)
            {
                // Keep the api key plausible half of the time so decoding, not just dispatch, meets the garbage.
                garbage[4] = 0;
                garbage[5] = (byte)(i % 2 == 0 ? 3 : random.Next(0, 255));
            }

            await using var client = await _broker.ConnectAsync();
            await client.SendRawAsync(garbage);
            var frame = await client.ReceiveFrameAsync(CloseTimeout);
            if (frame is not null)
            {
                // Garbage that happens to be a valid request is answered; the connection must still close on the next bad frame.
                await client.SendRawAsync(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF });
                Assert.True(await client.IsClosedByBrokerAsync(CloseTimeout));
            }

            var versions = await healthy.RoundTripAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 3, new ApiVersionsRequest
            {
                ClientSoftwareName = "rill-tests",
                ClientSoftwareVersion = "1.0",
            });
            Assert.Equal((short)ErrorCode.None, versions.ErrorCode);
        }
    }

    [Fact]
    public async Task ApiVersionsAtAnUnknownVersion_GetsV0AnswerWithUnsupportedVersionAndOurRange()
    {
        await using var client = await _broker.ConnectAsync();
        var bytes = WithVersion(RawKafkaClient.Encode(ApiKey.ApiVersions, 3, 77, "c", new ApiVersionsRequest
        {
            ClientSoftwareName = "x",
            ClientSoftwareVersion = "1",
        }), 9);
        await client.SendRawAsync(bytes);
        var response = await client.ReceiveAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 0, 77);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, response.ErrorCode);
        var only = Assert.Single(response.ApiKeys);
        Assert.Equal((short)ApiKey.ApiVersions, only.ApiKey);
        Assert.Equal(0, only.MinVersion);
        Assert.Equal(4, only.MaxVersion);
    }

    [Fact]
    public async Task ApiVersionsV3WithAnIllegalSoftwareName_GetsInvalidRequest()
    {
        await using var client = await _broker.ConnectAsync();
        var response = await client.RoundTripAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 3, new ApiVersionsRequest
        {
            ClientSoftwareName = "-bad name-",
            ClientSoftwareVersion = "1.0",
        });
        Assert.Equal((short)ErrorCode.InvalidRequest, response.ErrorCode);
    }

    [Fact]
    public async Task ProduceV2_CarriesAnOldMessageFormat_SoTheConnectionCloses()
    {
        await using var client = await _broker.ConnectAsync();
        await client.SendAsync(ApiKey.Produce, 2, new ProduceRequest { Acks = 1, TimeoutMs = 1000 });
        Assert.True(await client.IsClosedByBrokerAsync(CloseTimeout));
    }

    private async Task AssertClosedAfterAsync(byte[] bytes)
    {
        await using (var client = await _broker.ConnectAsync())
        {
            await client.SendRawAsync(bytes);
            Assert.True(await client.IsClosedByBrokerAsync(CloseTimeout), "the broker should have closed the connection");
        }

        await using var other = await _broker.ConnectAsync();
        var response = await other.RoundTripAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 0, new ApiVersionsRequest());
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
    }

    private static byte[] Frame(byte[] body)
    {
        var frame = new byte[body.Length + 4];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    private static byte[] WithVersion(byte[] frame, short version)
    {
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(6), version);
        return frame;
    }
}
