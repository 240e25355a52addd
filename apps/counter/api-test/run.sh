#!/usr/bin/env bash
# The API's own contract: schemathesis generates requests from the served /openapi.json (valid
# ones, which must be accepted, and invalid ones, which must be refused with a documented
# status) and checks every answer against the document. Runs against a real `counter all` on
# loopback with the embedded backends. A fixed seed and one worker: the same cases every run.
# Usage: run.sh COUNTER_BIN SCHEMATHESIS_BIN
set -euo pipefail
counter=$(realpath "$1")
schemathesis=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)

work=$(mktemp -d)
pid=
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

env -i PATH="$PATH" HTTP_HOST=127.0.0.1 HTTP_PORT=0 WEB_PORT=0 DATA_DIR="$work/data" \
  "$counter" all 2>"$work/counter.log" &
pid=$!
api=
for _ in $(seq 1 600); do
  api=$(grep -o 'api listening on http://[0-9.:]*' "$work/counter.log" | head -1 | sed 's/^api listening on //') || true
  [[ -n $api ]] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    cat "$work/counter.log" >&2
    echo "counter all exited before listening" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z $api ]]; then
  cat "$work/counter.log" >&2
  echo "counter all did not start listening" >&2
  exit 1
fi

cd "$work"
"$schemathesis" --config-file "$here/schemathesis.toml" --no-color run "$api/openapi.json" \
  --checks all --seed 1 --workers 1 --max-examples 300 --generation-database none
