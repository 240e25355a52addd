#!/usr/bin/env bash
# Builds one workload asset twice, as synth does (crates/stackcraft-assets), from two copies of
# the project in different directories, each with its own empty target directory, and checks
# that the two addresses (a Lambda zip's SHA-256, an image's digest) are equal. CI proves the
# same on a tiny fixture project (crates/stackcraft-assets/tests); this is the real workload.
# Slow (two cold release builds): run by hand.
#
# usage: scripts/reproducible.sh [lambda|image PACKAGE_DIR PACKAGE BIN]
#        (default: image apps/counter counter counter)
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-image}
package_dir=${2:-apps/counter}
package=${3:-counter}
bin=${4:-counter}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --quiet --locked -p stackcraft-assets --example workload
builder="$(bash scripts/target-dir.sh)/debug/examples/workload"

for copy in a "b-in-another-place"; do
  mkdir -p "$work/$copy"
  git ls-files -z | xargs -0 cp --parents -t "$work/$copy"
  start=$(date +%s)
  "$builder" "$kind" "$work/$copy" "$package_dir" "$package" "$bin" > "$work/$copy.address"
  echo "copy $copy: $(cat "$work/$copy.address") (built in $(( $(date +%s) - start )) s)"
done

if [ "$(cat "$work/a.address")" = "$(cat "$work/b-in-another-place.address")" ]; then
  echo "reproducible: yes"
else
  echo "reproducible: NO"; exit 1
fi
