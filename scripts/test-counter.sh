#!/usr/bin/env bash
# Tests of apps/counter: starts Redis and MariaDB if needed, runs the Rust tests (unit and
# integration, against the real services and the embedded backends), the API contract test
# (schemathesis over the served OpenAPI document), then the browser test in Debian's headless
# Chromium. Idempotent; installs what it needs when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh

echo "== cargo test -p counter -p counter-contract"
cargo test -p counter -p counter-contract

cargo build -p counter --bin counter
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c \
  'import json, sys; print(json.load(sys.stdin)["target_directory"])')
counter_bin="$target_dir/debug/counter"

echo "== API contract (schemathesis)"
bash scripts/python-tools.sh schemathesis
bash apps/counter/api-test/run.sh "$counter_bin" .venv/schemathesis/bin/schemathesis

echo "== browser test"
bash scripts/chromium.sh
(cd apps/counter/web-test && npm ci --no-audit --no-fund --loglevel=error)
COUNTER_BIN="$counter_bin" node apps/counter/web-test/browser-test.mjs
