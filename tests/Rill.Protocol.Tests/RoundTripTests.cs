using System.Reflection;

namespace Rill.Protocol.Tests;

public sealed class RoundTripTests
{
    public static TheoryData<string, short> AllMessageVersions()
    {
        var data = new TheoryData<string, short>();
        foreach (var type in MessageFiller.TopLevelMessageTypes())
        {
            for (var version = MessageFiller.Lowest(type); version <= MessageFiller.Highest(type); version++)
            {
                data.Add(type.FullName!, version);
            }
        }

        return data;
    }

    [Fact]
    public void AllMessageVersions_CoversEverySchema()
    {
        // 186 message schemas (incl. 2 headers, 8 data), 25 metadata, 32 coordinator, 1 raft record.
        Assert.Equal(244, MessageFiller.TopLevelMessageTypes().Count());
    }

    [Theory]
    [MemberData(nameof(AllMessageVersions))]
    public void RoundTrip_EveryFieldSet_WritesSameBytesAgain(string typeName, short version)
    {
        var type = typeof(KafkaReader).Assembly.GetType(typeName)!;
        for (var seed = 0; seed < 3; seed++)
        {
            var filler = new MessageFiller();
            for (var skip = 0; skip < seed; skip++)
            {
                filler.Fill(type, version);
            }

            var message = (IKafkaMessage)filler.Fill(type, version);
            var first = KafkaMessage.Serialize(message, version);
            var decoded = Deserialize(type, first, version);
            var second = KafkaMessage.Serialize(decoded, version);
            Assert.Equal(first, second);
        }
    }

    [Theory]
    [MemberData(nameof(AllMessageVersions))]
    public void RoundTrip_DefaultInstance_WritesSameBytesAgain(string typeName, short version)
    {
        var type = typeof(KafkaReader).Assembly.GetType(typeName)!;
        var message = (IKafkaMessage)Activator.CreateInstance(type)!;
        if (HasNullRecordsWhereRequired(message, version))
        {
            return;
        }

        var first = KafkaMessage.Serialize(message, version);
        var second = KafkaMessage.Serialize(Deserialize(type, first, version), version);
        Assert.Equal(first, second);
    }

    [Theory]
    [MemberData(nameof(AllMessageVersions))]
    public void RoundTrip_UnknownTaggedFields_Survive(string typeName, short version)
    {
        var type = typeof(KafkaReader).Assembly.GetType(typeName)!;
        var message = (IKafkaMessage)new MessageFiller().Fill(type, version);
        var unknownProperty = type.GetProperty("UnknownTaggedFields");
        if (unknownProperty is null)
        {
            return;
        }

        var withoutUnknown = message.ComputeSize(version);
        List<RawTaggedField> unknown = [new(1000, new byte[] { 1, 2, 3 }), new(1001, Array.Empty<byte>())];
        unknownProperty.SetValue(message, unknown);
        if (message.ComputeSize(version) == withoutUnknown)
        {
            // Not a flexible version: there is no tag buffer to carry them.
            Assert.False(IsFlexibleApiVersion(type, version));
            return;
        }

        var first = KafkaMessage.Serialize(message, version);
        var decoded = Deserialize(type, first, version);
        var kept = (List<RawTaggedField>)unknownProperty.GetValue(decoded)!;
        Assert.Equal([1000, 1001], kept.Select(f => f.Tag));
        Assert.Equal(new byte[] { 1, 2, 3 }, kept[0].Data.ToArray());
        Assert.True(kept[1].Data.IsEmpty);
        Assert.Equal(first, KafkaMessage.Serialize(decoded, version));
    }

    internal static IKafkaMessage Deserialize(Type type, byte[] bytes, short version)
    {
        var method = typeof(KafkaMessage).GetMethod(nameof(KafkaMessage.Deserialize))!.MakeGenericMethod(type);
        try
        {
            return (IKafkaMessage)method.Invoke(null, [(ReadOnlyMemory<byte>)bytes, version])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private static bool IsFlexibleApiVersion(Type type, short version)
    {
        var apiKey = type.GetProperty("ApiKey", BindingFlags.Public | BindingFlags.Static);
        return apiKey is not null && Messages.ApiKeys.Get((Messages.ApiKey)apiKey.GetValue(null)!).IsFlexible(version);
    }

    // A new instance's records fields are null, as in Kafka; a version that forbids null cannot write them.
    private static bool HasNullRecordsWhereRequired(IKafkaMessage message, short version) =>
        message.GetType().GetProperties().Any(p =>
            p.PropertyType == typeof(ReadOnlyMemory<byte>?)
            && p.GetCustomAttribute<KafkaFieldAttribute>() is { } field
            && field.IsPresentIn(version)
            && !field.IsNullableIn(version)
            && p.GetValue(message) is null);
}
