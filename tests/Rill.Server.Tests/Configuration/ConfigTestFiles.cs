namespace Rill.Server.Tests.Configuration;

/// <summary>server.properties files in a per-test temp directory, removed on dispose.</summary>
internal sealed class ConfigTestFiles : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rill-config-").FullName;

    public string Write(string text)
    {
        var path = Path.Combine(_directory, "server.properties");
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
