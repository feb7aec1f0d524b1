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

go mod download
go vet ./...
go test -count=1 -timeout 25m "$@" ./...
