#!/usr/bin/env bash
# Tests of apps/counter: starts Redis and MariaDB if needed, runs the Rust tests (unit and
# integration, against the real services and the embedded backends), then the browser test
# in Debian's headless Chromium. Idempotent; installs what it needs when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh

echo "== cargo test -p counter"
cargo test -p counter

echo "== browser test"
bash scripts/chromium.sh
(cd apps/counter/web-test && npm ci --no-audit --no-fund --loglevel=error)
cargo build -p counter --bin counter
target_dir=$(cargo metadata --format-version 1 --no-deps | node -e \
  'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
COUNTER_BIN="$target_dir/debug/counter" node apps/counter/web-test/browser-test.mjs
