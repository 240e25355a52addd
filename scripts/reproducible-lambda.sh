#!/usr/bin/env bash
# Builds a Lambda workload twice, from two copies of the project in different directories into
# two empty target directories, with the flags synth uses (paths remapped, symbols stripped),
# and checks that the two bootstrap binaries are byte-identical. The zip around them is
# deterministic by construction (tested in crates/stackcraft-assets), so equal binaries mean
# equal asset hashes. Slow (two cold release builds): run by hand, not in CI.
#
# usage: scripts/reproducible-lambda.sh [PACKAGE BIN]   (default: object-counter count-events)
set -euo pipefail
cd "$(dirname "$0")/.."
package=${1:-object-counter}
bin=${2:-count-events}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo_home=${CARGO_HOME:-$HOME/.cargo}

for copy in a b; do
  mkdir -p "$work/$copy"
  git ls-files -z | xargs -0 cp --parents -t "$work/$copy"
  (
    cd "$work/$copy"
    RUSTFLAGS="--remap-path-prefix=$work/$copy=/build --remap-path-prefix=$cargo_home=/cargo -C strip=symbols" \
      cargo build --quiet --release --locked --package "$package" --bin "$bin" --target-dir "$work/$copy/target"
  )
  sha256sum "$work/$copy/target/release/$bin" | cut -d' ' -f1 > "$work/$copy.sha256"
done

a=$(cat "$work/a.sha256"); b=$(cat "$work/b.sha256")
echo "build a: $a"
echo "build b: $b"
if [ "$a" = "$b" ]; then echo "reproducible: yes"; else echo "reproducible: NO"; exit 1; fi
