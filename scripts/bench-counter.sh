#!/usr/bin/env bash
# Benchmark of apps/counter on this machine, loopback only, bounded in time. In one run:
#   1. Redis's own XADD rate (redis-benchmark) at the API's concurrency;
#   2. POST /count requests/s and latency against Redis at that concurrency (100,000 requests,
#      which also fill the queue for step 4);
#   3. a raw batched INSERT rate into MariaDB (same table, batch size and duplicate clause
#      as the worker, fed by the mysql client);
#   4. the worker's drain rate for the 100,000 queued messages into MariaDB.
# Prints a table with each result next to its backend's limit. Steps 1 and 2 run twice and
# keep the better run, which damps noise from whatever else the machine is doing.
# Env: BENCH_REQUESTS (100000), BENCH_CONCURRENCY (50), BENCH_BATCH (500).
set -euo pipefail
cd "$(dirname "$0")/.."

REQUESTS=${BENCH_REQUESTS:-100000}
CONCURRENCY=${BENCH_CONCURRENCY:-50}
BATCH=${BENCH_BATCH:-500}
STEP_TIMEOUT=300

bash scripts/services.sh
if ! command -v redis-benchmark >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-tools
fi

echo "== building (release)"
cargo build --release -q -p counter --bin counter --example load
target_dir=$(bash scripts/target-dir.sh)
counter_bin="$target_dir/release/counter"
load_bin="$target_dir/release/examples/load"

suffix="$(date +%s)_$$"
stream="counter_bench_$suffix"
db="counter_bench_$suffix"
raw_db="counter_bench_raw_$suffix"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  redis-cli -h 127.0.0.1 DEL "$stream" "{$stream}:dead" "$stream:rb" >/dev/null || true
  mysql -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS \`$db\`; DROP DATABASE IF EXISTS \`$raw_db\`" || true
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
rows_in() { mysql -h 127.0.0.1 -u root -N -e "SELECT COUNT(*) FROM \`$1\`.counts"; }

# Starts `counter <role> [stream]` on a free port; sets $started_url. Logs in $work.
starts=0
start_counter() {
  starts=$((starts + 1))
  local role=$1 queue=${2:-$stream} log="$work/$1-$starts.log"
  local threads=${TOKIO_WORKER_THREADS:-}
  env -u TOKIO_WORKER_THREADS ${threads:+TOKIO_WORKER_THREADS=$threads} REDIS_URL=redis://127.0.0.1:6379 REDIS_QUEUE="$queue" \
    DATABASE_URL="mysql://root@127.0.0.1:3306/$db" WORKER_BATCH_SIZE="$BATCH" \
    HTTP_HOST=127.0.0.1 HTTP_PORT=0 RUST_LOG=warn,counter::app=info \
    "$counter_bin" "$role" >"$log" 2>&1 &
  pids+=($!)
  local deadline=$((SECONDS + 60))
  until started_url=$(grep -so 'api listening on http://[0-9.:]*' "$log" | awk '{print $4}') && [[ -n $started_url ]]; do
    ((SECONDS < deadline)) || { cat "$log"; echo "counter $role did not start" >&2; exit 1; }
    sleep 0.1
  done
}

mysql -h 127.0.0.1 -u root -e "CREATE DATABASE \`$db\`; CREATE DATABASE \`$raw_db\`"
# The raw insert target is the worker's own table definition.
mysql -h 127.0.0.1 -u root "$raw_db" <apps/counter/migrations/mysql/0001_create_counts.sql

better() { python3 -c "import sys; print(1 if float(sys.argv[1]) > float(sys.argv[2] or 0) else 0)" "$1" "$2"; }

echo "== 1/4 redis-benchmark XADD, $CONCURRENCY clients, $REQUESTS requests (best of 2)"
redis_rps=""
for run in 1 2; do
  csv=$(timeout $STEP_TIMEOUT redis-benchmark -h 127.0.0.1 -p 6379 -c "$CONCURRENCY" -n "$REQUESTS" --csv \
    XADD "$stream:rb" '*' id 0190a0b1c2d3e4f5a6b7c8d9e0f1a2b3 count 1795487306 | tail -1)
  rps=$(echo "$csv" | awk -F'","' '{print $2}')
  echo "   run $run: $rps requests/s"
  if [[ $(better "$rps" "$redis_rps") == 1 ]]; then
    redis_rps=$rps
    redis_p99=$(echo "$csv" | awk -F'","' '{print $7}')
  fi
  redis-cli -h 127.0.0.1 DEL "$stream:rb" >/dev/null
done

echo "== 2/4 POST /count, $REQUESTS requests, $CONCURRENCY connections"
# Runs 1 and 3 use tokio's default runtime (one thread per core), best of the two; run 2 one
# runtime thread (TOKIO_WORKER_THREADS=1), shown for comparison, since on this 2-core machine
# the load generator and Redis share the cores with the API. Runs 1 and 2 go to a scratch
# stream; run 3 fills the stream the worker drains in step 4.
field() { echo "$load_line" | tr ' ' '\n' | awk -F= -v k="$1" '$1==k {print $2}'; }
api_rps=""
for run in 1 2 3; do
  queue="$stream:rb"
  threads=""
  [[ $run == 2 ]] && threads=1
  [[ $run == 3 ]] && queue=$stream
  TOKIO_WORKER_THREADS=$threads start_counter api "$queue"
  load_line=$(timeout $STEP_TIMEOUT "$load_bin" "$started_url/count" "$REQUESTS" "$CONCURRENCY")
  kill "${pids[-1]}"
  echo "   run $run (${threads:-default} runtime threads): $load_line"
  if [[ $run == 2 ]]; then
    one_thread_rps=$(field rps)
    one_thread_p99=$(field p99_ms)
  elif [[ $(better "$(field rps)" "$api_rps") == 1 ]]; then
    api_rps=$(field rps)
    api_p99=$(field p99_ms)
    api_errors=$(field errors)
  fi
  redis-cli -h 127.0.0.1 DEL "$stream:rb" >/dev/null
done
queued=$(redis-cli -h 127.0.0.1 XLEN "$stream")

echo "== 3/4 raw batched INSERT into MariaDB, $REQUESTS rows in batches of $BATCH"
awk -v n="$REQUESTS" -v b="$BATCH" 'BEGIN {
  for (i = 1; i <= n; i++) {
    if ((i - 1) % b == 0) printf "INSERT IGNORE INTO counts (msg_id, value) VALUES ";
    printf "(X'\''0190a0b1c2d3e4f5%016x'\'',%d)", i, i;
    if (i % b == 0 || i == n) print ";"; else printf ",";
  }
}' >"$work/raw.sql"
t0=$(now)
timeout $STEP_TIMEOUT mysql -h 127.0.0.1 -u root "$raw_db" <"$work/raw.sql"
t1=$(now)
raw_rows=$(rows_in "$raw_db")
raw_rps=$(python3 -c "print(f'{$raw_rows / ($t1 - $t0):.0f}')")

echo "== 4/4 worker drain of $queued queued messages into MariaDB"
t0=$(now)
start_counter worker
deadline=$((SECONDS + STEP_TIMEOUT))
while (($(redis-cli -h 127.0.0.1 XLEN "$stream") > 0)); do
  ((SECONDS < deadline)) || { echo "drain did not finish" >&2; exit 1; }
  sleep 0.05
done
t1=$(now)
drained=$(rows_in "$db")
drain_rps=$(python3 -c "print(f'{$drained / ($t1 - $t0):.0f}')")

python3 - "$api_rps" "$api_p99" "$api_errors" "$redis_rps" "$redis_p99" "$drained" "$queued" "$drain_rps" "$raw_rps" "$CONCURRENCY" "$BATCH" "$one_thread_rps" "$one_thread_p99" <<'PY'
import sys
api_rps, api_p99, api_errors, redis_rps, redis_p99, drained, queued, drain_rps, raw_rps, conc, batch, one_rps, one_p99 = sys.argv[1:]
api_ratio = float(api_rps) / float(redis_rps)
one_ratio = float(one_rps) / float(redis_rps)
drain_ratio = float(drain_rps) / float(raw_rps)
redis_limit = f"redis-benchmark XADD {float(redis_rps):,.0f} req/s, p99 {float(redis_p99):.2f} ms"
rows = [
    ("POST /count (API -> Redis)", f"{float(api_rps):,.0f} req/s, p99 {float(api_p99):.2f} ms",
     redis_limit, f"{api_ratio:.0%}", "50%"),
    ("  same, 1 runtime thread", f"{float(one_rps):,.0f} req/s, p99 {float(one_p99):.2f} ms",
     redis_limit, f"{one_ratio:.0%}", "(info)"),
    ("worker drain (Redis -> MariaDB)", f"{float(drain_rps):,.0f} rows/s",
     f"raw batched INSERT {float(raw_rps):,.0f} rows/s", f"{drain_ratio:.0%}", "50%"),
]
print()
print(f"concurrency {conc}, batch {batch}; API errors: {api_errors}; drained {drained} of {queued} queued")
widths = [32, 30, 46, 7, 7]
header = ("measure", "counter", "backend limit (same machine, same run)", "ratio", "target")
line = lambda cols: " | ".join(str(c).ljust(w) for c, w in zip(cols, widths))
print(line(header))
print("-+-".join("-" * w for w in widths))
for r in rows:
    print(line(r))
ok = api_ratio >= 0.5 and drain_ratio >= 0.5 and int(api_errors) == 0 and int(drained) == int(queued)
print("\ntargets met" if ok else "\ntargets NOT met")
PY
