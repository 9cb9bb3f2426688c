"""Turns bench/run.sh's raw.jsonl (one `rill perf` JSON report per line, tagged with its scenario) into the
results table of docs/performance.md: each scenario's median over its runs next to its target."""

import json
import statistics
import sys

# scenario -> (what, target text, figure: "rps" records/s | "mib" MiB/s | "p99" e2e p99 ms | "ratio" | "mem")
SCENARIOS = [
    ("produce-confluent", "produce 100 B, acks=1, linger 5 ms (confluent)", ">= 1,000,000 records/s", "rps"),
    ("produce-native", "the same, --driver native", ">= 3,000,000 records/s", "rps"),
    ("consume-native", "consume 100 B, --driver native", ">= 5,000,000 records/s", "rps"),
    ("produce-acks-all", "produce 100 B, acks=all (confluent)", ">= 800,000 records/s", "rps"),
    ("produce-1k", "produce 1 KiB, acks=1 (confluent)", ">= 300 MiB/s", "mib"),
    ("consume-confluent", "consume 100 B from the page cache (confluent, 2 consumers)", ">= 2,000,000 records/s", "rps"),
    ("e2e", "end-to-end at 10,000 records/s, linger 0", "p99 <= 5 ms", "p99"),
    ("partitions-1000", "1,000 partitions, 100 connections (native)", ">= 70% of produce-native", "ratio"),
    ("memory-idle", "broker RSS, idle", "<= 150 MB", "mem"),
    ("partitions-1000-memory", "broker RSS, 1,000 partitions under load (peak)", "<= 400 MB", "mem"),
]


def main(path, runs):
    reports = [json.loads(line) for line in open(path) if line.strip()]
    by = {}
    for r in reports:
        by.setdefault(r["scenario"], []).append(r)

    def median(scenario, key):
        values = [r[key] for r in by.get(scenario, []) if "recordsPerSecond" in r]
        return statistics.median(values) if values else None

    def memory(scenario, measure):
        values = [r["kib"] for r in by.get(scenario, []) if r.get("measure") == measure]
        return values[-1] / 1024 if values else None

    print(f"| scenario | target | median of {runs} | runs |")
    print("| --- | --- | --- | --- |")
    for name, what, target, figure in SCENARIOS:
        runs_text = ""
        if figure == "rps":
            value = median(name, "recordsPerSecond")
            text = f"{value:,.0f} records/s" if value is not None else None
            runs_text = ", ".join(f"{r['recordsPerSecond']:,.0f}" for r in by.get(name, []))
        elif figure == "mib":
            value = median(name, "mibPerSecond")
            text = f"{value:,.1f} MiB/s" if value is not None else None
            runs_text = ", ".join(f"{r['mibPerSecond']:,.1f}" for r in by.get(name, []))
        elif figure == "p99":
            values = [r["latency"]["p99Ms"] for r in by.get(name, []) if r.get("latency")]
            text = f"p99 {statistics.median(values):.2f} ms" if values else None
            runs_text = ", ".join(f"p50 {r['latency']['p50Ms']:.2f} / p99 {r['latency']['p99Ms']:.2f} / max {r['latency']['maxMs']:.2f}"
                                  for r in by.get(name, []) if r.get("latency"))
        elif figure == "ratio":
            value = median(name, "recordsPerSecond")
            base = median("produce-native", "recordsPerSecond")
            if value is not None and base:
                text = f"{value:,.0f} records/s = {100 * value / base:.0f}%"
            elif value is not None:
                text = f"{value:,.0f} records/s"
            else:
                text = None
            runs_text = ", ".join(f"{r['recordsPerSecond']:,.0f}" for r in by.get(name, []) if "recordsPerSecond" in r)
        else:
            if name == "memory-idle":
                value = memory("memory-idle", "VmRSS")
            else:
                value = memory("partitions-1000", "VmHWM")
                after = memory("partitions-1000", "VmRSS-after")
                runs_text = f"after the runs {after:.0f} MiB" if after is not None else ""
            text = f"{value:.0f} MiB" if value is not None else None
        if text is not None:
            print(f"| {what} | {target} | {text} | {runs_text} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
