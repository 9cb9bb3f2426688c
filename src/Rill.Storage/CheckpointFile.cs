using System.Globalization;
using System.Text;
using Rill.Common;

namespace Rill.Storage;

/// <summary>
/// Kafka's text checkpoint format for per-directory offsets: a version line (0), a count line, then one
/// <c>topic partition offset</c> line per partition. Written to a temporary file, fsync'd, renamed over the
/// old one, then the directory fsync'd, so a crash leaves either the old or the new file. Public for the replication
/// layer's <c>replication-offset-checkpoint</c>, which is in the same format.
/// </summary>
public static class CheckpointFile
{
    private const int Version = 0;

    public static void Write(string path, IEnumerable<KeyValuePair<TopicPartition, long>> entries)
    {
        var text = new StringBuilder();
        var lines = new StringBuilder();
        var count = 0;
        foreach (var (topicPartition, offset) in entries)
        {
            lines.Append(CultureInfo.InvariantCulture, $"{topicPartition.Topic} {topicPartition.Partition} {offset}\n");
            count++;
        }

        text.Append(CultureInfo.InvariantCulture, $"{Version}\n{count}\n").Append(lines);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        FileSystemSync.FsyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>The entries, an empty map when the file does not exist; <see cref="LogCorruptionException"/> when it does not parse.</summary>
    public static Dictionary<TopicPartition, long> Read(string path)
    {
        var result = new Dictionary<TopicPartition, long>();
        if (!File.Exists(path))
        {
            return result;
        }

        var lines = File.ReadAllLines(path);
        if (lines.Length < 2 || !int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version != Version)
        {
            throw Corrupt(path, "the version line is not 0");
        }

        if (!int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count != lines.Length - 2)
        {
            throw Corrupt(path, $"the count line says {lines[1]} but {lines.Length - 2} entries follow");
        }

        for (var i = 2; i < lines.Length; i++)
        {
            var fields = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 3
                || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                || !long.TryParse(fields[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var offset)
                || !PartitionDirectory.IsValidTopicName(fields[0]))
            {
                throw Corrupt(path, $"line {i + 1} '{lines[i]}' is not 'topic partition offset'");
            }

            result[new TopicPartition(fields[0], partition)] = offset;
        }

        return result;
    }

    private static LogCorruptionException Corrupt(string path, string detail) =>
        new(CorruptionReason.CheckpointCorrupt, $"checkpoint {path} is corrupt: {detail}");
}
