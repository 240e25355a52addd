#!/usr/bin/env bash
# Starts the services the counter tests need — Redis on 127.0.0.1:6379 and MariaDB on
# 127.0.0.1:3306 — when they are not already answering, then waits until both do.
set -euo pipefail

wait_until() { # seconds description command...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "services.sh: $what did not come up" >&2
      return 1
    fi
    sleep 0.5
  done
}

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG; }
mariadb_up() { mysql -h 127.0.0.1 -P 3306 -u root -e 'SELECT 1'; }

if ! redis_up >/dev/null 2>&1; then
  echo "services.sh: starting redis-server"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
wait_until 30 "redis on 127.0.0.1:6379" redis_up

if ! mariadb_up >/dev/null 2>&1; then
  echo "services.sh: starting mariadbd"
  mkdir -p /run/mysqld
  chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
fi
wait_until 60 "mariadb on 127.0.0.1:3306" mariadb_up
mysql -h 127.0.0.1 -P 3306 -u root -e 'CREATE DATABASE IF NOT EXISTS test'
echo "services.sh: redis and mariadb are up"
