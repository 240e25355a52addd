#!/usr/bin/env bash
# Regenerates docs/diagrams/: the SVG of each shipped blueprint (drawn by `stackcraft graph`,
# through the test that also checks them for staleness) and a PNG screenshot of each in
# headless Chromium. CI compares the SVGs only; PNGs depend on the renderer's fonts.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/chromium.sh
UPDATE_DIAGRAMS=1 cargo test -q -p stackcraft --test graph committed_diagrams_are_fresh

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
for svg in docs/diagrams/*.svg; do
  png="${svg%.svg}.png"
  size=$(sed -n 's/^<svg [^>]*width="\([0-9]*\)[0-9.]*" height="\([0-9]*\)[0-9.]*".*/\1,\2/p' "$svg" | head -1)
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --user-data-dir="$profile" --window-size="$size" --screenshot="$png" "file://$PWD/$svg" \
    >/dev/null 2>&1
  echo "$svg → $png"
done
