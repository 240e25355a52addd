#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this script).
# On a fresh machine it installs and starts what the tests need: the pinned Python tools
# (cfn-lint, checkov, moto) in .venv/, Redis and MariaDB on loopback, the OCI registry and
# image tools, Chromium for the browser tests and diagrams. Then: formatting, lints,
# the declared minimum Rust version, generated-code freshness, every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step says when it starts, in seconds since the script did: where CI's time goes.
step() { printf '\n==> %s (at %ss)\n' "$*" "$SECONDS"; }

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

step "Tests"
# One cargo invocation for every test, so each crate compiles once, with one feature set:
# - stackcraft/deploy: the deploy commands and their tests, against moto in server mode on
#   loopback (scripts/moto.sh starts one per test; nothing talks to AWS);
# - stackcraft-resources/all: every generated resource type builds (tests/every_type.rs).
#   The clippy run above has no `all`, so a crate that uses a service without declaring
#   its feature still fails there.
# The counter's tests use the Redis and MariaDB started above.
test_features=stackcraft/deploy,stackcraft-resources/all
STACKCRAFT_LOOPBACK_ONLY=1 cargo test --workspace --locked --features "$test_features"

step "Counter: API contract and browser test"
# Against the counter binary the test run built: same features, nothing compiles again.
cargo build --workspace --locked --features "$test_features" --bin counter
bash scripts/test-counter.sh "$(bash scripts/target-dir.sh)/debug/counter"

step "Done"
