namespace Rill.Config;

/// <summary>The roles in <c>process.roles</c>.</summary>
[Flags]
public enum ProcessRoles
{
    None = 0,
    Broker = 1,
    Controller = 2,
}
