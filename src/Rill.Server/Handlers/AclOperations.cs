namespace Rill.Server.Handlers;

/// <summary>
/// Kafka's ACL operation codes as authorized-operations bit sets. Rill has no authorizer yet, so every
/// operation a resource type supports is allowed, which is what Kafka reports without one.
/// </summary>
public static class AclOperations
{
    private const int Read = 3;
    private const int Write = 4;
    private const int Create = 5;
    private const int Delete = 6;
    private const int Alter = 7;
    private const int Describe = 8;
    private const int DescribeConfigs = 10;
    private const int AlterConfigs = 11;

    public const int AllTopicOperations =
        (1 << Read) | (1 << Write) | (1 << Create) | (1 << Delete) | (1 << Alter)
        | (1 << Describe) | (1 << DescribeConfigs) | (1 << AlterConfigs);
}
