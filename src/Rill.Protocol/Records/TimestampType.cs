namespace Rill.Protocol.Records;

/// <summary>
/// What a batch's timestamps mean, bit 3 of its attributes: the producer's clock (CreateTime) or the
/// broker's clock at append (LogAppendTime). Also the value of the topic config <c>message.timestamp.type</c>.
/// </summary>
public enum TimestampType
{
    CreateTime = 0,
    LogAppendTime = 1,
}
