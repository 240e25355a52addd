#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this script).
# On a fresh machine it installs and starts what the tests need: the pinned Python tools
# (cfn-lint, checkov, moto) in .venv/, Redis and MariaDB on loopback, Chromium for the
# browser test. Then: formatting, lints, generated-code freshness, every test.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Python tools (pinned, in .venv/)"
bash scripts/python-tools.sh

step "Redis and MariaDB on loopback"
bash scripts/services.sh

step "Formatting"
cargo fmt --all --check

step "Lints"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Generated resource types match the pinned schemas"
cargo xtask codegen --check

step "Tests"
cargo test --workspace --locked --exclude counter

step "Counter workloads (real Redis and MariaDB, browser)"
bash scripts/test-counter.sh
