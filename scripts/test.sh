#!/usr/bin/env bash
# The test command of the README and of CI: installs what the tests need, then runs vet and
# every test (unit, property, fuzz seed corpora, golden scenarios, multi-instance determinism,
# end-to-end against real `depin start` processes, kill -9 crash loops).
# Extra arguments go to `go test`, e.g. ./scripts/test.sh -short or -run TestName.
set -euo pipefail
cd "$(dirname "$0")/.."

# H3 (github.com/uber/h3-go) is cgo: a C compiler is required.
if ! command -v gcc >/dev/null 2>&1; then
  echo "installing gcc (needed by cgo for H3)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq gcc libc6-dev; else sudo apt-get update -qq && sudo apt-get install -y -qq gcc libc6-dev; fi
fi
export CGO_ENABLED=1

# The explorer's browser tests drive Debian's chromium; the indexer's
# PostgreSQL tests need a server: install both when missing.
apt_install() {
  if [ "$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; else sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; fi
}
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (needed by the explorer's browser tests)"
  apt_install chromium || echo "WARNING: could not install chromium: the browser tests will skip"
fi
# The metrics tests run promtool check metrics over every service's
# /metrics; promtool comes with Debian's prometheus package.
if ! command -v promtool >/dev/null 2>&1; then
  echo "installing prometheus (promtool, needed by the metrics tests)"
  apt_install prometheus || echo "WARNING: could not install prometheus: promtool check metrics will be skipped"
fi
if command -v promtool >/dev/null 2>&1; then export DEPIN_REQUIRE_PROMTOOL=1; fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "installing postgresql (needed by the indexer's PostgreSQL tests)"
  apt_install postgresql || echo "WARNING: could not install postgresql: the PostgreSQL tests will skip"
fi
# Start a throwaway PostgreSQL on a loopback port for the tests.
if [ -z "${DEPIN_TEST_POSTGRES_URL:-}" ] && pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1) && [ -n "$pgbin" ]; then
  pgdir=$(mktemp -d /tmp/depin-pg.XXXXXX)
  pgport=${DEPIN_TEST_POSTGRES_PORT:-$((20000 + RANDOM % 20000))}
  pguser=$(id -un)
  run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  if [ "$(id -u)" = 0 ]; then chown postgres "$pgdir"; pguser=postgres; fi
  if run_pg "$pgbin/initdb" -D "$pgdir/data" -U "$pguser" -A trust >"$pgdir/initdb.log" 2>&1 &&
     run_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -o "-c listen_addresses=127.0.0.1 -p $pgport -k $pgdir -c fsync=off" start >/dev/null; then
    trap 'run_pg "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$pgdir"' EXIT
    export DEPIN_TEST_POSTGRES_URL="postgres://$pguser@127.0.0.1:$pgport/postgres?sslmode=disable"
    echo "PostgreSQL for tests: $DEPIN_TEST_POSTGRES_URL"
  else
    echo "WARNING: could not start PostgreSQL (see $pgdir): the PostgreSQL tests will skip"
  fi
fi

go mod download
go vet ./...
go test -count=1 -timeout 25m "$@" ./...
