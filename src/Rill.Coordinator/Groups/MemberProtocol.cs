namespace Rill.Coordinator.Groups;

/// <summary>One protocol a member supports (an assignor name for consumers) with the member's metadata for it.</summary>
internal readonly record struct MemberProtocol(string Name, byte[] Metadata);
