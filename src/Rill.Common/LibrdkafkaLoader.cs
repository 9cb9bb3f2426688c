using System.Reflection;
using System.Runtime.InteropServices;

namespace Rill.Common;

/// <summary>
/// Makes Confluent.Kafka load the librdkafka build that ships in its own package. On Debian 12 the package's
/// default <c>librdkafka.so</c> needs <c>libsasl2.so.3</c>, which is missing, and .NET then silently falls back
/// to the distribution's older librdkafka (pulled in by kcat), which crashes on missing symbols. The package's
/// <c>centos8-librdkafka.so</c> loads; a DllImport resolver picks it (Confluent's <c>Library.Load</c> cannot,
/// because it dlopens through <c>libdl.so</c>). Takes the assembly as a parameter so Common needs no package.
/// </summary>
public static class LibrdkafkaLoader
{
    private static readonly string[] Candidates = ["centos8-librdkafka.so", "librdkafka.so", "alpine-librdkafka.so"];
    private static int _installed;

    /// <summary>Installs the resolver on the Confluent.Kafka assembly; later calls do nothing.</summary>
    public static void Install(Assembly confluentKafka)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64
            || Interlocked.Exchange(ref _installed, 1) == 1)
        {
            return;
        }

        NativeLibrary.SetDllImportResolver(confluentKafka, Resolve);
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!libraryName.Contains("rdkafka", StringComparison.Ordinal))
        {
            return IntPtr.Zero;
        }

        var directories = new[]
        {
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"),
            AppContext.BaseDirectory,
        };
        foreach (var directory in directories)
        {
            foreach (var candidate in Candidates)
            {
                var path = Path.Combine(directory, candidate);
                if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle))
                {
                    return handle;
                }
            }
        }

        return IntPtr.Zero;
    }
}
