#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this script).
# On a fresh machine it installs and starts what the tests need: the pinned Python tools
# (cfn-lint, checkov, moto) in .venv/, Redis and MariaDB on loopback, the OCI registry and
# image tools, Chromium for the browser tests and diagrams. Then: formatting, lints,
# the declared minimum Rust version, generated-code freshness, every test.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Python tools (pinned, in .venv/)"
bash scripts/python-tools.sh

step "Redis and MariaDB on loopback"
bash scripts/services.sh

step "Chromium (browser tests and diagrams)"
bash scripts/chromium.sh
step "Registry and image tools (docker-registry, skopeo, umoci)"
bash scripts/test-tools.sh

step "Formatting"
cargo fmt --all --check

step "rust-version is the locked dependencies' minimum, inherited by every member"
bash scripts/check-rust-version.sh

step "Lints"
cargo clippy --workspace --all-targets --locked --features stackcraft/deploy -- -D warnings
# The library a user's own binary depends on, without the AWS SDK (default-features = false).
cargo clippy -p stackcraft --all-targets --locked --no-default-features -- -D warnings

step "Generated resource types match the pinned schemas"
cargo xtask codegen --check

step "Every generated resource type builds (all service features)"
cargo test -p stackcraft-resources --locked --features all --test every_type

step "Tests"
# The deploy commands (the default features of stackcraft; --features keeps them on for the
# whole workspace) and their tests run against moto in server mode on loopback
# (scripts/moto.sh starts one per test; nothing talks to AWS).
STACKCRAFT_LOOPBACK_ONLY=1 cargo test --workspace --locked --exclude counter --features stackcraft/deploy

step "Counter workloads (real Redis and MariaDB, browser)"
bash scripts/test-counter.sh
