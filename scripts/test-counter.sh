#!/usr/bin/env bash
# Tests of apps/counter: starts Redis and MariaDB if needed, runs the Rust tests (unit and
# integration, against the real services and the embedded backends), the API contract test
# (schemathesis over the served OpenAPI document), then the browser test in Debian's headless
# Chromium. Idempotent; installs what it needs when missing.
#
#   scripts/test-counter.sh              all of it
#   scripts/test-counter.sh COUNTER_BIN  only the contract and browser tests, against that
#                                        binary (scripts/test.sh passes the one its test run
#                                        built, whose Rust tests already ran)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh

if [ $# -ge 1 ]; then
  counter_bin=$1
else
  echo "== cargo test -p counter -p counter-contract"
  cargo test -p counter -p counter-contract
  cargo build -p counter --bin counter
  counter_bin="$(bash scripts/target-dir.sh)/debug/counter"
fi

echo "== API contract (schemathesis)"
bash scripts/python-tools.sh schemathesis
bash apps/counter/api-test/run.sh "$counter_bin" .venv/schemathesis/bin/schemathesis

echo "== browser test"
bash scripts/chromium.sh
(cd apps/counter/web-test && npm ci --no-audit --no-fund --loglevel=error)
COUNTER_BIN="$counter_bin" node apps/counter/web-test/browser-test.mjs
