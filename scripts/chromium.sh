#!/usr/bin/env bash
# Debian's headless Chromium, for the browser tests and the diagram screenshots. Idempotent:
# installs only when missing.
set -euo pipefail
if [[ ! -x /usr/bin/chromium ]]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-dejavu-core
fi
