#!/usr/bin/env bash
# Whole-system benchmark: builds rill (Release), starts a single-node broker on a scratch data directory, runs the
# scenarios of docs/performance.md with `rill perf` (median of --runs runs each) and writes a results table.
#
#   bench/run.sh                 # every scenario, 3 runs each (~10 minutes on 2 cores)
#   bench/run.sh --runs 1 --scale 0.1 --only produce-native,e2e   # a quick look
#
# Needs the .NET SDK, python3 (for the JSON and the medians) and a free port 19092 (--port).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS=3
SCALE=1
PORT=19092
ONLY=""
OUT=""
KEEP=0

usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  cat <<'EOF'
Options:
  --runs N        runs per scenario; the table shows their median (default 3)
  --scale F       multiply every record count by F (default 1)
  --port P        the broker's Kafka port (default 19092; the admin endpoint is not started)
  --only A,B      run only these scenarios (names as in the table)
  --out DIR       where results go (default bench/results/<UTC time>)
  --keep          keep the broker's data directory afterwards
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --scale) SCALE="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

command -v python3 >/dev/null || { echo "run.sh: python3 is needed to read the JSON reports" >&2; exit 2; }
OUT="${OUT:-$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
RAW="$OUT/raw.jsonl"
: > "$RAW"
ARTIFACTS="$ROOT/artifacts/bench"
DATA="$(mktemp -d "${TMPDIR:-/tmp}/rill-bench.XXXXXX")"
BROKERS="127.0.0.1:$PORT"
RILL="$ARTIFACTS/bin/Rill/release/rill"
BROKER_PID=""

count() { python3 -c "print(max(1, int($1 * $SCALE)))"; }

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

wanted() { [[ -z "$ONLY" || ",$ONLY," == *",$1,"* ]]; }

stop_broker() {
  if [[ -n "$BROKER_PID" ]] && kill -0 "$BROKER_PID" 2>/dev/null; then
    kill -TERM "$BROKER_PID"
    wait "$BROKER_PID" 2>/dev/null || true
  fi
  BROKER_PID=""
}

cleanup() {
  stop_broker
  if [[ "$KEEP" == 0 ]]; then rm -rf "$DATA"; fi
}
trap cleanup EXIT

start_broker() {
  stop_broker
  "$RILL" serve \
    --override "log.dirs=$DATA/logs" \
    --override "listeners=PLAINTEXT://127.0.0.1:$PORT" \
    --override "admin.listener=127.0.0.1:0" \
    > "$OUT/broker.log" 2>&1 &
  BROKER_PID=$!
  for _ in $(seq 1 100); do
    if "$RILL" cluster info --brokers "$BROKERS" --timeout 1s --output json >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "run.sh: the broker did not start; see $OUT/broker.log" >&2
  exit 1
}

rss_kib() { awk -v key="$1" '$1 == key":" { print $2 }' "/proc/$BROKER_PID/status"; }

topic() {
  "$RILL" topic create "$1" --partitions "$2" --brokers "$BROKERS" --output json >/dev/null
}

drop_topic() {
  "$RILL" topic delete "$1" --brokers "$BROKERS" --output json >/dev/null
  # Start every run without the previous one's dirty pages still being written back.
  sync
}

# perf SCENARIO RUN ARGS...: one `rill perf` run, its JSON report appended to raw.jsonl under the scenario's name.
perf() {
  local scenario="$1" run="$2"
  shift 2
  local report
  report="$("$RILL" perf "$@" --brokers "$BROKERS" --output json)"
  python3 -c 'import json,sys; r=json.loads(sys.argv[3]); r["scenario"]=sys.argv[1]; r["run"]=int(sys.argv[2]); print(json.dumps(r))' \
    "$scenario" "$run" "$report" >> "$RAW"
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); l=r.get("latency") or {}; print("    %14s records/s %8.1f MiB/s  p99 %s ms  failed %d" % (format(r["recordsPerSecond"], ",.0f"), r["mibPerSecond"], l.get("p99Ms", "-"), r["failed"]))' "$report" >&2
}

# memory SCENARIO KEY VALUE_KIB: a broker RSS reading, recorded like a report.
memory() {
  python3 -c 'import json,sys; print(json.dumps({"scenario": sys.argv[1], "run": 1, "measure": sys.argv[2], "kib": int(sys.argv[3])}))' "$1" "$2" "$3" >> "$RAW"
  log "  $1: $2 = $(( $3 / 1024 )) MiB"
}

log "building rill (Release) into $ARTIFACTS"
dotnet build "$ROOT/src/Rill/Rill.csproj" -c Release --artifacts-path "$ARTIFACTS" -nologo -v quiet >/dev/null
PRODUCE_100=$(count 10000000)
NATIVE_100=$(count 20000000)
PRODUCE_1K=$(count 2000000)
start_broker
log "broker pid $BROKER_PID on $BROKERS, data in $DATA, results in $OUT"

if wanted memory-idle; then
  sleep 2
  memory memory-idle VmRSS "$(rss_kib VmRSS)"
fi

if wanted produce-confluent; then
  log "produce-confluent: $PRODUCE_100 x 100 B, acks=1, linger 5 ms, 2 producers, a delivery report every 64th record"
  for run in $(seq 1 "$RUNS"); do
    topic pc 6
    perf produce-confluent "$run" produce pc --records "$PRODUCE_100" --record-size 100 --acks 1 --linger-ms 5 --producers 2 --report-every 64
    drop_topic pc
  done
fi

if wanted produce-native; then
  log "produce-native: $NATIVE_100 x 100 B, acks=1, 16 KiB batches, 16 requests in flight"
  for run in $(seq 1 "$RUNS"); do
    topic pn 6
    perf produce-native "$run" produce pn --driver native --records "$NATIVE_100" --record-size 100 --acks 1
    drop_topic pn
  done
fi

if wanted consume-native || wanted consume-confluent; then
  log "filling cn with $NATIVE_100 x 100 B (native driver)"
  topic cn 6
  "$RILL" perf produce cn --driver native --records "$NATIVE_100" --record-size 100 --acks 1 --brokers "$BROKERS" --output json >/dev/null
  sync
  if wanted consume-native; then
    log "consume-native: $NATIVE_100 records, assigned from the start"
    for run in $(seq 1 "$RUNS"); do
      perf consume-native "$run" consume cn --driver native --records "$NATIVE_100"
    done
  fi

  if wanted consume-confluent; then
    # A restarted broker reads what it wrote from the page cache, through its segment files.
    start_broker
    log "consume-confluent: $PRODUCE_100 records from the page cache after a broker restart, 2 consumers"
    for run in $(seq 1 "$RUNS"); do
      perf consume-confluent "$run" consume cn --records "$PRODUCE_100" --consumers 2
    done
  fi

  drop_topic cn
fi

if wanted produce-acks-all; then
  log "produce-acks-all: $PRODUCE_100 x 100 B, acks=all, linger 5 ms, 2 producers, a delivery report every 64th record"
  for run in $(seq 1 "$RUNS"); do
    topic pa 6
    perf produce-acks-all "$run" produce pa --records "$PRODUCE_100" --record-size 100 --acks all --linger-ms 5 --producers 2 --report-every 64
    drop_topic pa
  done
fi

if wanted produce-1k; then
  log "produce-1k: $PRODUCE_1K x 1 KiB, acks=1, linger 5 ms, 2 producers, 64 KiB batches, a delivery report every 64th record"
  for run in $(seq 1 "$RUNS"); do
    topic pk 6
    perf produce-1k "$run" produce pk --records "$PRODUCE_1K" --record-size 1024 --acks 1 --linger-ms 5 --producers 2 --batch-size 65536 --report-every 64
    drop_topic pk
  done
fi

if wanted e2e; then
  log "e2e: 10,000 records/s for 10 s, linger 0, acks=1"
  for run in $(seq 1 "$RUNS"); do
    topic ee 6
    perf e2e "$run" e2e ee --throughput 10000 --duration 10s --record-size 100 --acks 1
    drop_topic ee
  done
fi

if wanted partitions-1000; then
  # A fresh broker, so its peak RSS is this scenario's alone.
  start_broker
  log "partitions-1000: $NATIVE_100 x 100 B over 1,000 partitions, native driver, 100 connections, 5 requests in flight each"
  for run in $(seq 1 "$RUNS"); do
    topic "p1k-$run" 1000
    if [[ "$run" == 1 ]]; then memory partitions-1000 VmRSS-created "$(rss_kib VmRSS)"; fi
    perf partitions-1000 "$run" produce "p1k-$run" --driver native --records "$NATIVE_100" --record-size 100 --acks 1 --connections 100 --in-flight 5
    if [[ "$run" == "$RUNS" ]]; then memory partitions-1000 VmRSS-after "$(rss_kib VmRSS)"; fi
    drop_topic "p1k-$run"
  done
  memory partitions-1000 VmHWM "$(rss_kib VmHWM)"
fi

stop_broker
python3 "$ROOT/bench/summarize.py" "$RAW" "$RUNS" | tee "$OUT/results.md"
log "raw reports: $RAW"
