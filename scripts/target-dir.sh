#!/usr/bin/env bash
# Prints cargo's target directory of this workspace (CARGO_TARGET_DIR or the configured one).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo metadata --format-version 1 --no-deps | python3 -c \
  'import json, sys; print(json.load(sys.stdin)["target_directory"])'
