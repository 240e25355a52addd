#!/usr/bin/env bash
# Starts or stops a local OCI registry (Debian's docker-registry, the CNCF distribution
# registry) on a free loopback port, with htpasswd basic auth, for the image push tests.
#
#   scripts/registry.sh start DIR USER PASSWORD   start it; prints its URL and writes DIR/registry.pid,
#                                                 DIR/registry.url, DIR/registry.log (access log)
#   scripts/registry.sh stop DIR                  stop the registry started with DIR
#
# Storage lives in DIR/data. It only ever listens on 127.0.0.1. scripts/test-tools.sh installs
# the package when it is missing.
set -euo pipefail
REGISTRY="${REGISTRY:-docker-registry}"

usage() { echo "usage: $0 start DIR USER PASSWORD | stop DIR" >&2; exit 2; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The registry answers /v2/ with 401 (auth required) once it listens.
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$1/v2/")" = 401 ]; }

case "${1:-}" in
start)
    dir="${2:-}"; user="${3:-}"; password="${4:-}"
    [ -n "$dir" ] && [ -n "$user" ] && [ -n "$password" ] || usage
    command -v "$REGISTRY" >/dev/null || { echo "registry.sh: $REGISTRY is missing: run bash scripts/test-tools.sh" >&2; exit 1; }
    mkdir -p "$dir/data"
    htpasswd -Bbn "$user" "$password" >"$dir/htpasswd"
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        url="http://127.0.0.1:$port"
        cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
auth:
  htpasswd:
    realm: stackcraft-test
    path: $dir/htpasswd
YAML
        "$REGISTRY" serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
        pid=$!
        for _ in $(seq 1 100); do
            if ready "$url"; then
                echo "$pid" >"$dir/registry.pid"
                echo "$url" >"$dir/registry.url"
                echo "$url"
                exit 0
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    echo "registry.sh: $REGISTRY did not start (see $dir/registry.log)" >&2
    exit 1
    ;;
stop)
    dir="${2:-}"; [ -n "$dir" ] || usage
    if [ -f "$dir/registry.pid" ]; then
        pid="$(cat "$dir/registry.pid")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$dir/registry.pid" "$dir/registry.url"
    fi
    ;;
*) usage ;;
esac
