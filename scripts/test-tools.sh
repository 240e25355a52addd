#!/usr/bin/env bash
# Installs the system tools the image tests use, when they are missing (Debian packages):
#   docker-registry  the distribution registry the pushes go to (scripts/registry.sh)
#   apache2-utils    htpasswd, for the registry's basic auth
#   skopeo, umoci    independent checks of the pushed image (inspect, copy, unpack)
#   curl             the registry's readiness probe
set -euo pipefail

missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need docker-registry docker-registry
need htpasswd apache2-utils
need skopeo skopeo
need umoci umoci
need curl curl

if ((${#missing[@]})); then
  echo "test-tools.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "test-tools.sh: docker-registry, htpasswd, skopeo, umoci are installed"
