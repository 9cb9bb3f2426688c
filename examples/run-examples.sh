#!/usr/bin/env bash
# Runs every order-processing example against a broker of its own and checks what the examples print: the
# producer's acknowledgements, two workers of one group splitting the partitions and processing every order
# exactly once, a restarted worker finding nothing new, analytics-group reading everything. Once for the .NET
# examples (Confluent.Kafka), once with confluent-kafka-python, once with kafka-python.
#
# usage: examples/run-examples.sh [--rill PATH] [--orders N]
#   --rill PATH   the rill executable (or rill.dll) to run the broker and the CLI with; default: build src/Rill
#   --orders N    how many orders each producer writes (default 300)
#
# Prints 'PASS <check>' or 'FAIL <check>: <why>' per check, then 'examples: N passed, M failed'; exits 1 when a
# check failed. The broker, the workers and the temporary directory are removed on every exit.
set -uo pipefail # no -e: a failed check is counted and the next one still runs
cd "$(dirname "$0")/.."

rill_path=
orders=300
usage() {
  echo "usage: $0 [--rill PATH] [--orders N]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case $1 in
    --rill) [ $# -ge 2 ] || usage; rill_path=$2; shift 2 ;;
    --orders) [ $# -ge 2 ] || usage; orders=$2; shift 2 ;;
    *) usage ;;
  esac
done
[[ $orders =~ ^[1-9][0-9]*$ ]] || usage

python=/usr/bin/python3 # Debian's, which has python3-kafka and python3-confluent-kafka; the first on PATH may not
build_dir=artifacts/run-examples # kept between runs (and ignored by git), so a second run builds incrementally
work=$(mktemp -d -t rill-examples.XXXXXX)
started=$SECONDS
passed=0
failed=0
background_pids=()

pass() { echo "PASS $1"; passed=$((passed + 1)); }

# fail CHECK WHY [LOG...]: reports the failure and the end of each log that explains it.
fail() {
  echo "FAIL $1: $2"
  failed=$((failed + 1))
  local log
  for log in "${@:3}"; do
    [ -s "$log" ] && tail -n 15 "$log" | sed "s|^|    $(basename "$log"): |"
  done
}

# check CHECK WHY CONDITION...: PASS when the condition command succeeds, else FAIL with WHY.
check() { if "${@:3}"; then pass "$1"; else fail "$1" "$2"; fi; }

# wait_until SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds (status 0) or SECONDS have passed (1).
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

exited() { ! kill -0 "$1" 2>/dev/null; }

# stop_process PID SECONDS: SIGTERM, then SIGKILL if it is still there after SECONDS; returns its exit status.
stop_process() {
  kill -TERM "$1" 2>/dev/null
  wait_until "$2" exited "$1" || kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}

finish() {
  local pid
  for pid in "${background_pids[@]}"; do
    exited "$pid" || stop_process "$pid" 10
  done
  rm -rf "$work"
}
trap finish EXIT
trap 'exit 130' INT TERM

summary() {
  echo "examples took $((SECONDS - started)) s"
  echo "examples: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# --- build ---------------------------------------------------------------------------------------------------

build() { timeout 900 dotnet build "$1" -c Release --artifacts-path "$build_dir" -v q -nologo >"$work/build.log" 2>&1; }

if [ -z "$rill_path" ]; then
  if build src/Rill; then pass "build rill"; else fail "build rill" "dotnet build src/Rill failed" "$work/build.log"; summary; exit; fi
  rill_path=$build_dir/bin/Rill/release/rill
fi
case $rill_path in
  *.dll) rill=(dotnet "$rill_path") ;;
  *) rill=("$rill_path") ;;
esac

if build examples/dotnet/OrderProducer && build examples/dotnet/OrderWorker; then
  pass "build dotnet examples"
  dotnet_examples_built=true
else
  fail "build dotnet examples" "dotnet build examples/dotnet failed" "$work/build.log"
  dotnet_examples_built=false
fi

# --- broker --------------------------------------------------------------------------------------------------

port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
brokers=127.0.0.1:$port
"${rill[@]}" serve \
  --override "listeners=PLAINTEXT://$brokers" \
  --override "log.dirs=$work/data" \
  --override group.initial.rebalance.delay.ms=0 \
  >"$work/broker.log" 2>&1 &
broker_pid=$!
background_pids+=("$broker_pid")

rill_cli() { timeout 60 "${rill[@]}" "$@" --brokers "$brokers"; }
broker_answers() { exited "$broker_pid" || rill_cli cluster info --timeout 2s >/dev/null 2>&1; }
if wait_until 60 broker_answers && ! exited "$broker_pid"; then
  pass "broker started on $brokers"
else
  if exited "$broker_pid"; then
    wait "$broker_pid"
    why="rill serve exited with status $?"
  else
    why="rill serve did not answer within 60 s"
  fi
  fail "broker started on $brokers" "$why" "$work/broker.log"
  summary
  exit
fi

# --- one client's examples -----------------------------------------------------------------------------------

# set_commands CLIENT: sets the producer and worker command lines of CLIENT's examples.
set_commands() {
  case $1 in
    dotnet)
      producer=("$build_dir/bin/OrderProducer/release/OrderProducer")
      worker=("$build_dir/bin/OrderWorker/release/OrderWorker") ;;
    confluent-kafka-python)
      producer=("$python" examples/python/confluent_order_producer.py)
      worker=("$python" examples/python/confluent_order_worker.py) ;;
    kafka-python)
      producer=("$python" examples/python/kafka_python_order_producer.py)
      worker=("$python" examples/python/kafka_python_order_worker.py) ;;
  esac
}

# assignment LOG: the partitions the worker holds now (e.g. "0 2"), from its last 'assigned/revoked' line.
assignment() {
  local last
  last=$(grep -E '^(assigned|revoked) partitions ' "$1" | tail -n 1)
  [[ $last == assigned* ]] && echo "$last" | grep -oE '[0-9]+' | sort -n | tr '\n' ' ' | sed 's/ $//'
}

# partitions_split LOG LOG: both workers hold partitions, and together each of the 3 exactly once.
partitions_split() {
  local first second
  first=$(assignment "$1") && second=$(assignment "$2") &&
    [ "$(echo "$first $second" | tr ' ' '\n' | sort -n | tr '\n' ' ')" = "0 1 2 " ]
}

# processed LOG: one line 'ORDER USER PARTITION OFFSET' per order the worker printed as processed.
processed() {
  sed -nE 's/^processed order ([0-9]+) \(([^,]+), [0-9.]+\) from partition ([0-9]+) at offset ([0-9]+)$/\1 \2 \3 \4/p' "$1"
}

processed_count() { cat "$@" | grep -c '^processed order '; }
all_processed() { [ "$(processed_count "$@")" -ge "$orders" ]; }

# same_orders_as_produced LOG...: the logs together name orders 1..N, each exactly once.
same_orders_as_produced() {
  local log
  for log in "$@"; do processed "$log"; done | cut -d' ' -f1 | sort -n | diff -q - <(seq 1 "$orders") >/dev/null
}

# summary_says LOG COUNT REASON: the worker's last line reports COUNT processed orders, stopped for REASON.
summary_says() { [ "$(tail -n 1 "$1")" = "done: processed $2 orders ($3)" ]; }

# only_own_partitions LOG "P P": the worker processed at least one order, all from the partitions listed.
only_own_partitions() {
  local from
  from=$(processed "$1" | cut -d' ' -f3 | sort -un | tr '\n' ' ' | sed 's/ $//')
  [ -n "$from" ] && for partition in $from; do [[ " $2 " == *" $partition "* ]] || return 1; done
}

# one_partition_per_user LOG...: all orders of a user were in the same partition.
one_partition_per_user() {
  local log
  [ -z "$(for log in "$@"; do processed "$log"; done | cut -d' ' -f2,3 | sort -u | cut -d' ' -f1 | uniq -d)" ]
}

# committed_everything GROUP TOPIC: the group's committed offsets of TOPIC add up to N and it has no lag.
committed_everything() {
  rill_cli group describe "$1" --output json 2>"$work/describe.err" | "$python" -c '
import json, sys
partitions = [p for p in json.load(sys.stdin)["partitions"] if p["topic"] == sys.argv[1]]
committed = sum(p["committedOffset"] or 0 for p in partitions)
lag = sum(p["lag"] for p in partitions if p["lag"] is not None)
print(f"committed {committed}, lag {lag}")
sys.exit(0 if committed == int(sys.argv[2]) and lag == 0 else 1)' "$2" "$orders" >"$work/describe.out"
}

# run_examples CLIENT TOPIC GROUP ANALYTICS_GROUP: the whole story with CLIENT's producer and workers.
run_examples() {
  local client=$1 topic=$2 group=$3 analytics=$4
  local dir=$work/$client
  mkdir -p "$dir"
  set_commands "$client"
  local connect=(--bootstrap-servers "$brokers" --topic "$topic")

  if ! rill_cli topic create "$topic" --partitions 3 >"$dir/topic.log" 2>&1; then
    fail "$client: create $topic" "rill topic create failed" "$dir/topic.log"
    return
  fi

  # Two workers first, so that the group has split the partitions before the first order arrives.
  "${worker[@]}" "${connect[@]}" --group "$group" >"$dir/worker-1.log" 2>&1 &
  local worker1=$!
  "${worker[@]}" "${connect[@]}" --group "$group" >"$dir/worker-2.log" 2>&1 &
  local worker2=$!
  background_pids+=("$worker1" "$worker2")
  if ! wait_until 60 partitions_split "$dir/worker-1.log" "$dir/worker-2.log"; then
    fail "$client: two workers split the partitions" "no split of partitions 0-2 between both within 60 s" "$dir/worker-1.log" "$dir/worker-2.log"
    stop_process "$worker1" 10
    stop_process "$worker2" 10
    return
  fi
  local assigned1 assigned2
  assigned1=$(assignment "$dir/worker-1.log")
  assigned2=$(assignment "$dir/worker-2.log")
  pass "$client: two workers split the partitions (worker-1 [$assigned1], worker-2 [$assigned2])"

  timeout 120 "${producer[@]}" "${connect[@]}" --count "$orders" >"$dir/producer.log" 2>&1
  local producer_status=$?
  if [ "$producer_status" -eq 0 ] && grep -q "^produced $orders of $orders orders to $topic (acks=all" "$dir/producer.log"; then
    pass "$client: producer acknowledged $orders orders"
  else
    fail "$client: producer acknowledged $orders orders" "exit status $producer_status" "$dir/producer.log"
  fi

  # Bounded, and skipped when the producer failed: the checks below then say what is missing.
  [ "$producer_status" -eq 0 ] && wait_until 60 all_processed "$dir/worker-1.log" "$dir/worker-2.log"
  # Stop both as Ctrl-C would (SIGTERM takes the same path): each finishes its order and leaves the group.
  stop_process "$worker1" 30
  local status1=$?
  stop_process "$worker2" 30
  local status2=$?
  local count1 count2
  count1=$(processed_count "$dir/worker-1.log")
  count2=$(processed_count "$dir/worker-2.log")
  if [ "$status1" -eq 0 ] && [ "$status2" -eq 0 ] &&
    summary_says "$dir/worker-1.log" "$count1" interrupted && summary_says "$dir/worker-2.log" "$count2" interrupted; then
    pass "$client: workers stopped cleanly on SIGTERM"
  else
    fail "$client: workers stopped cleanly on SIGTERM" "exit statuses $status1 and $status2, or no 'done: processed N orders (interrupted)' last" "$dir/worker-1.log" "$dir/worker-2.log"
  fi

  check "$client: every order processed exactly once" \
    "$((count1 + count2)) orders processed ($count1 + $count2), not orders 1-$orders once each" \
    same_orders_as_produced "$dir/worker-1.log" "$dir/worker-2.log"
  if only_own_partitions "$dir/worker-1.log" "$assigned1" && only_own_partitions "$dir/worker-2.log" "$assigned2"; then
    pass "$client: each worker processed orders, only from its own partitions"
  else
    fail "$client: each worker processed orders, only from its own partitions" "a worker processed nothing or read another's partition" "$dir/worker-1.log" "$dir/worker-2.log"
  fi
  check "$client: each user's orders are in one partition" "a user's orders were spread over partitions" \
    one_partition_per_user "$dir/worker-1.log" "$dir/worker-2.log"
  if committed_everything "$group" "$topic"; then
    pass "$client: $group committed all $orders orders, lag 0"
  else
    fail "$client: $group committed all $orders orders, lag 0" "rill group describe: $(cat "$work/describe.out")" "$work/describe.err"
  fi

  timeout 90 "${worker[@]}" "${connect[@]}" --group "$group" --idle-timeout 3 >"$dir/restarted.log" 2>&1
  local restarted_status=$?
  if [ "$restarted_status" -eq 0 ] && grep -q '^assigned partitions \[0, 1, 2\]$' "$dir/restarted.log" &&
    summary_says "$dir/restarted.log" 0 "no order for 3 s"; then
    pass "$client: a restarted worker finds nothing new"
  else
    fail "$client: a restarted worker finds nothing new" \
      "exit status $restarted_status, processed $(processed_count "$dir/restarted.log") orders" "$dir/restarted.log"
  fi

  timeout 90 "${worker[@]}" "${connect[@]}" --group "$analytics" --max-orders "$orders" >"$dir/analytics.log" 2>&1
  local analytics_status=$?
  if [ "$analytics_status" -eq 0 ] && same_orders_as_produced "$dir/analytics.log" &&
    summary_says "$dir/analytics.log" "$orders" "reached --max-orders $orders"; then
    pass "$client: $analytics read all $orders orders from the start"
  else
    fail "$client: $analytics read all $orders orders from the start" \
      "exit status $analytics_status, processed $(processed_count "$dir/analytics.log") orders, not orders 1-$orders once each" "$dir/analytics.log"
  fi
}

if $dotnet_examples_built; then
  run_examples dotnet orders order-processing-group analytics-group
fi
# Each Python client gets a topic and groups of its own, so its checks see only its own orders and commits.
for client in confluent-kafka-python kafka-python; do
  module=${client%-python}
  module=${module//-/_}
  if "$python" -c "import $module" 2>/dev/null; then
    run_examples "$client" "orders-$client" "order-processing-group-$client" "analytics-group-$client"
  else
    fail "$client" "$python cannot import $module (Debian: apt-get install python3-${client%-python})"
  fi
done

summary
