using System.CommandLine;
using Spectre.Console;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Rill.Cli.Topics;

namespace Rill.Cli.Groups;

/// <summary><c>rill group describe GROUP</c>: state, members and, per partition, committed offset, end offset and lag.</summary>
internal static class GroupDescribeCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Argument<string>("group") { Description = "The consumer group to describe." };
        var command = new Command("describe", "Describe a consumer group: state, members and their partitions, and per partition committed offset, end offset and lag.")
        {
            name,
        };
        command.WithExamples(
            "rill group describe billing",
            "rill group describe billing --output json | jq .totalLag");
        CommandRunner.SetAction(command, console, "DescribeGroups", async (context, parse, cancellationToken) =>
        {
            var group = parse.GetRequiredValue(name);
            using var admin = await ClusterAdmin.ConnectAsync(context, cancellationToken);
            var description = await GroupLookup.DescribeAsync(admin, group);
            var committed = await GroupLookup.CommittedOffsetsAsync(admin, group);
            if (description is null && committed.Count == 0)
            {
                throw CliException.Failed($"group '{group}' does not exist");
            }

            var owners = new Dictionary<TopicPartition, MemberDescription>();
            foreach (var member in description?.Members ?? [])
            {
                foreach (var tp in member.Assignment?.TopicPartitions ?? [])
                {
                    owners[tp] = member;
                }
            }

            var partitions = committed.Keys.Union(owners.Keys).OrderBy(tp => tp.Topic, StringComparer.Ordinal).ThenBy(tp => tp.Partition.Value).ToList();
            var ends = await TopicLookup.ListOffsetsAsync(admin, partitions, OffsetSpec.Latest());
            var offsets = partitions.Select(tp =>
            {
                long? committedOffset = committed.TryGetValue(tp, out var c) ? c : null;
                var end = ends[tp];
                owners.TryGetValue(tp, out var owner);
                return new GroupPartition(tp.Topic, tp.Partition.Value, committedOffset, end, committedOffset is { } at ? Math.Max(0, end - at) : null, owner?.ConsumerId, owner?.ClientId);
            }).ToList();

            var output = new DescribeGroupOutput(
                group,
                description?.State.ToString() ?? "Empty",
                description is null ? null : GroupTypes.Name(description.GroupType),
                string.IsNullOrEmpty(description?.PartitionAssignor) ? null : description.PartitionAssignor,
                description?.Coordinator is { } coordinator ? new GroupCoordinator(coordinator.Id, coordinator.Host, coordinator.Port) : null,
                [.. (description?.Members ?? []).OrderBy(m => m.ConsumerId, StringComparer.Ordinal).Select(m => new GroupMember(
                    m.ConsumerId,
                    m.GroupInstanceId,
                    m.ClientId,
                    m.Host,
                    [.. (m.Assignment?.TopicPartitions ?? []).OrderBy(tp => tp.Topic, StringComparer.Ordinal).ThenBy(tp => tp.Partition.Value).Select(tp => new AssignedPartition(tp.Topic, tp.Partition.Value))]))],
                offsets,
                offsets.Sum(o => o.Lag ?? 0));

            if (context.Json)
            {
                context.WriteJson(output);
            }
            else
            {
                Print(context, output);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Print(CliContext context, DescribeGroupOutput output)
    {
        context.WriteField("Group", output.GroupId);
        context.WriteField("State", output.State);
        context.WriteField("Type", output.Type);
        context.WriteField("Assignor", output.Protocol);
        context.WriteField("Coordinator", output.Coordinator is { } c ? $"{c.Id} ({c.Host}:{c.Port})" : null);
        context.WriteField("Members", CliContext.Number(output.Members.Count));
        context.WriteField("Total lag", CliContext.Number(output.TotalLag));
        if (output.Members.Count > 0)
        {
            context.Stdout.WriteLine();
            var members = context.NewTable("MEMBER", "CLIENT ID", "HOST", "ASSIGNMENTS");
            foreach (var member in output.Members)
            {
                var assignments = string.Join(", ", member.Assignments.GroupBy(a => a.Topic).Select(g => $"{g.Key}[{string.Join(',', g.Select(a => a.Partition))}]"));
                CliContext.AddRow(members, member.MemberId, member.ClientId, member.Host, assignments);
            }

            context.Stdout.Write(members);
        }

        if (output.Partitions.Count > 0)
        {
            context.Stdout.WriteLine();
            var partitions = context.NewTable("TOPIC", "PARTITION", "COMMITTED", "END", "LAG", "CLIENT ID");
            foreach (var partition in output.Partitions)
            {
                CliContext.AddRow(
                    partitions,
                    partition.Topic,
                    CliContext.Number(partition.Partition),
                    CliContext.Number(partition.CommittedOffset),
                    CliContext.Number(partition.EndOffset),
                    CliContext.Number(partition.Lag),
                    partition.ClientId);
            }

            context.Stdout.Write(partitions);
        }
    }

    internal sealed record DescribeGroupOutput(
        string GroupId,
        string State,
        string? Type,
        string? Protocol,
        GroupCoordinator? Coordinator,
        IReadOnlyList<GroupMember> Members,
        IReadOnlyList<GroupPartition> Partitions,
        long TotalLag);

    internal sealed record GroupCoordinator(int Id, string Host, int Port);

    internal sealed record GroupMember(string MemberId, string? GroupInstanceId, string ClientId, string Host, IReadOnlyList<AssignedPartition> Assignments);

    internal sealed record AssignedPartition(string Topic, int Partition);

    internal sealed record GroupPartition(string Topic, int Partition, long? CommittedOffset, long EndOffset, long? Lag, string? MemberId, string? ClientId);
}
