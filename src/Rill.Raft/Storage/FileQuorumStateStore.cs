using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Rill.Common;
using Rill.Protocol.RaftRecords;
using Rill.Storage;

namespace Rill.Raft.Storage;

/// <summary>
/// A voter's election state in Kafka's <c>quorum-state</c> file (kafka: FileQuorumStateStore), in the metadata log's
/// directory: one line of JSON, QuorumStateData's fields in camelCase plus <c>data_version</c>, as Kafka's JSON
/// converter writes them. Version 0 (what <c>kraft.version</c> 0, a static <c>controller.quorum.voters</c>, writes):
/// <c>{"clusterId":"","leaderId":1,"leaderEpoch":5,"votedId":-1,"appliedOffset":0,"currentVoters":[{"voterId":1}],"data_version":0}</c>;
/// version 1 (<c>kraft.version</c> 1) drops the cluster id, applied offset and voters and adds <c>votedDirectoryId</c>.
/// Both are read whatever this store writes. A write goes to <c>quorum-state.tmp</c>, is fsync'd, renamed over the
/// file and the directory fsync'd, so a crash leaves the old state or the new one, never a torn one. A file that
/// exists but cannot be read or parsed throws <see cref="QuorumStateFileException"/>: the node refuses to start rather
/// than guess its vote.
/// </summary>
public sealed class FileQuorumStateStore : IQuorumStateStore
{
    public const string FileName = "quorum-state";

    private const string DataVersionField = "data_version";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly short _dataVersion;

    /// <param name="path">The file, <c>&lt;log dir&gt;/__cluster_metadata-0/quorum-state</c> in a node.</param>
    /// <param name="dataVersion">The version <see cref="Write"/> uses: 0 for <c>kraft.version</c> 0, 1 for 1.</param>
    public FileQuorumStateStore(string path, short dataVersion)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dataVersion, QuorumStateData.LowestSupportedVersion);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dataVersion, QuorumStateData.HighestSupportedVersion);
        Path = System.IO.Path.GetFullPath(path);
        _dataVersion = dataVersion;
    }

    public string Path { get; }

    /// <summary>The stored state; null when the file does not exist (a voter that never voted). Throws <see cref="QuorumStateFileException"/>.</summary>
    public QuorumStateData? Read()
    {
        string text;
        try
        {
            if (!File.Exists(Path))
            {
                // Something else in its place is no proof that this voter never voted.
                return Directory.Exists(Path) ? throw new QuorumStateFileException(Path, "is a directory, not a file") : null;
            }

            text = File.ReadAllText(Path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new QuorumStateFileException(Path, $"cannot be read: {e.Message}", e);
        }

        var line = text.Split('\n', 2)[0];
        if (line.Trim().Length == 0)
        {
            throw new QuorumStateFileException(Path, "is empty; it should hold one line of JSON");
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            return Parse(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new QuorumStateFileException(Path, $"is not JSON: {e.Message}", e);
        }
    }

    public void Write(QuorumStateData state)
    {
        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json, WriterOptions))
        {
            writer.WriteStartObject();
            if (_dataVersion == 0)
            {
                writer.WriteString("clusterId", state.ClusterId);
            }

            writer.WriteNumber("leaderId", state.LeaderId);
            writer.WriteNumber("leaderEpoch", state.LeaderEpoch);
            writer.WriteNumber("votedId", state.VotedId);
            if (_dataVersion >= 1)
            {
                writer.WriteString("votedDirectoryId", state.VotedDirectoryId.ToString());
            }
            else
            {
                writer.WriteNumber("appliedOffset", state.AppliedOffset);
                if (state.CurrentVoters is null)
                {
                    writer.WriteNull("currentVoters");
                }
                else
                {
                    writer.WriteStartArray("currentVoters");
                    foreach (var voter in state.CurrentVoters)
                    {
                        writer.WriteStartObject();
                        writer.WriteNumber("voterId", voter.VoterId);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                }
            }

            writer.WriteNumber(DataVersionField, _dataVersion);
            writer.WriteEndObject();
        }

        var temporary = Path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(json.WrittenSpan);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path, overwrite: true);
            FileSystemSync.FsyncDirectory(System.IO.Path.GetDirectoryName(Path)!);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private QuorumStateData Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"holds a JSON {root.ValueKind}, not an object");
        }

        if (!root.TryGetProperty(DataVersionField, out var versionElement) || versionElement.ValueKind != JsonValueKind.Number
            || !versionElement.TryGetInt16(out var version))
        {
            throw Invalid($"has no integer {DataVersionField}");
        }

        if (version < QuorumStateData.LowestSupportedVersion || version > QuorumStateData.HighestSupportedVersion)
        {
            throw Invalid($"{DataVersionField} ({version}) is not within the supported versions " +
                $"{QuorumStateData.LowestSupportedVersion}-{QuorumStateData.HighestSupportedVersion}");
        }

        var state = new QuorumStateData
        {
            LeaderId = Int32(root, "leaderId", version),
            LeaderEpoch = Int32(root, "leaderEpoch", version),
            VotedId = Int32(root, "votedId", version),
        };
        if (version == 0)
        {
            state.ClusterId = Mandatory(root, "clusterId", version) is { ValueKind: JsonValueKind.String } clusterId
                ? clusterId.GetString()!
                : throw Invalid("clusterId is not a string");
            state.AppliedOffset = Mandatory(root, "appliedOffset", version) is { ValueKind: JsonValueKind.Number } applied
                && applied.TryGetInt64(out var appliedOffset)
                ? appliedOffset
                : throw Invalid("appliedOffset is not a 64-bit integer");
            state.CurrentVoters = ParseVoters(Mandatory(root, "currentVoters", version));
        }
        else
        {
            var directoryId = Mandatory(root, "votedDirectoryId", version);
            if (directoryId.ValueKind != JsonValueKind.String)
            {
                throw Invalid("votedDirectoryId is not a string");
            }

            try
            {
                state.VotedDirectoryId = Uuid.Parse(directoryId.GetString()!);
            }
            catch (FormatException e)
            {
                throw Invalid($"votedDirectoryId is not a Kafka uuid: {e.Message}");
            }
        }

        return state;
    }

    private List<QuorumStateData.Voter>? ParseVoters(JsonElement voters)
    {
        if (voters.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (voters.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("currentVoters is not an array");
        }

        var parsed = new List<QuorumStateData.Voter>();
        foreach (var voter in voters.EnumerateArray())
        {
            if (voter.ValueKind != JsonValueKind.Object || !voter.TryGetProperty("voterId", out var id) || id.ValueKind != JsonValueKind.Number
                || !id.TryGetInt32(out var voterId))
            {
                throw Invalid($"currentVoters holds {voter.GetRawText()}, not {{\"voterId\":<int>}}");
            }

            parsed.Add(new QuorumStateData.Voter { VoterId = voterId });
        }

        return parsed;
    }

    private int Int32(JsonElement root, string name, short version) =>
        Mandatory(root, name, version) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt32(out var number)
            ? number
            : throw Invalid($"{name} is not a 32-bit integer");

    private JsonElement Mandatory(JsonElement root, string name, short version) =>
        root.TryGetProperty(name, out var value) ? value : throw Invalid($"has no {name}, which version {version} requires");

    private QuorumStateFileException Invalid(string detail) => new(Path, detail);
}
