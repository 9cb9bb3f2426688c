using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Rill.Server.Observability;

/// <summary>
/// The process and runtime basics Prometheus users expect under their usual names (<c>process_*</c>, as the
/// official client libraries export them), read at scrape time.
/// </summary>
public sealed class ProcessMetrics
{
    private readonly double _startTimeSeconds;

    public ProcessMetrics(Meter meter)
    {
        using (var process = Process.GetCurrentProcess())
        {
            _startTimeSeconds = new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
        }

        meter.CreateObservableCounter("process_cpu_seconds_total", static () => Environment.CpuUsage.TotalTime.TotalSeconds, "s",
            "User and system CPU time spent by the process.");
        meter.CreateObservableGauge("process_resident_memory_bytes", static () => Environment.WorkingSet, "By",
            "Resident memory of the process.");
        meter.CreateObservableGauge("process_start_time_seconds", () => _startTimeSeconds, "s",
            "Start time of the process since the Unix epoch.");
        meter.CreateObservableGauge("dotnet_gc_heap_bytes", static () => GC.GetTotalMemory(forceFullCollection: false), "By",
            "Bytes the garbage-collected heap holds.");
        meter.CreateObservableCounter("dotnet_gc_collections_total", static () => Collections(), "{collection}",
            "Garbage collections, by generation.");
        meter.CreateObservableGauge("dotnet_threadpool_threads", static () => ThreadPool.ThreadCount, "{thread}",
            "Thread-pool threads.");
        meter.CreateObservableGauge("dotnet_threadpool_queue_length", static () => ThreadPool.PendingWorkItemCount, "{item}",
            "Work items queued to the thread pool and not yet started.");
    }

    private static Measurement<long>[] Collections()
    {
        var collections = new Measurement<long>[GC.MaxGeneration + 1];
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            collections[generation] = new Measurement<long>(GC.CollectionCount(generation), new KeyValuePair<string, object?>("generation", generation));
        }

        return collections;
    }
}
