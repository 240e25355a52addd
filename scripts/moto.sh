#!/usr/bin/env bash
# Starts or stops moto (a local AWS emulator) in server mode on a free loopback port.
#
#   scripts/moto.sh start DIR   start moto_server on 127.0.0.1:<free port>; prints its URL and
#                               writes DIR/moto.pid, DIR/moto.url and DIR/moto.log
#   scripts/moto.sh stop DIR    stop the server started with DIR
#   scripts/moto.sh reset URL   forget every resource (POST URL/moto-api/reset)
#
# moto comes from .venv/moto (pinned in scripts/python-requirements/moto.txt and installed by
# scripts/python-tools.sh); MOTO_SERVER overrides the executable. It only ever listens on
# 127.0.0.1.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MOTO_SERVER="${MOTO_SERVER:-$ROOT/.venv/moto/bin/moto_server}"
PYTHON="$(dirname "$MOTO_SERVER")/python"

usage() { echo "usage: $0 start DIR | stop DIR | reset URL" >&2; exit 2; }

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

ready() { "$PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=1)' "$1" 2>/dev/null; }

case "${1:-}" in
start)
    dir="${2:-}"; [ -n "$dir" ] || usage
    if [ ! -x "$MOTO_SERVER" ]; then
        echo "moto.sh: $MOTO_SERVER is missing: run bash scripts/python-tools.sh moto" >&2
        exit 1
    fi
    mkdir -p "$dir"
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        url="http://127.0.0.1:$port"
        "$MOTO_SERVER" -H 127.0.0.1 -p "$port" >"$dir/moto.log" 2>&1 &
        pid=$!
        for _ in $(seq 1 100); do
            if ready "$url"; then
                echo "$pid" >"$dir/moto.pid"
                echo "$url" >"$dir/moto.url"
                echo "$url"
                exit 0
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    echo "moto.sh: moto_server did not start (see $dir/moto.log)" >&2
    exit 1
    ;;
stop)
    dir="${2:-}"; [ -n "$dir" ] || usage
    if [ -f "$dir/moto.pid" ]; then
        pid="$(cat "$dir/moto.pid")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$dir/moto.pid" "$dir/moto.url"
    fi
    ;;
reset)
    url="${2:-}"; [ -n "$url" ] || usage
    "$PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/moto-api/reset", method="POST"), timeout=5)' "$url"
    ;;
*) usage ;;
esac
