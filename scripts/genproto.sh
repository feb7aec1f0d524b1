#!/usr/bin/env bash
# Regenerates the Go code for the protobuf schemas in proto/. The generated files are committed,
# so only someone who edits a .proto file needs this. Tools are pinned (reference/engineering.md §5).
set -euo pipefail
cd "$(dirname "$0")/.."
tools=${DEPIN_TOOLS:-/tmp/depin-tools}
mkdir -p "$tools"
if [ ! -x "$tools/node_modules/.bin/buf" ]; then
  (cd "$tools" && npm install --silent @bufbuild/buf@1.75.0)
fi
export GOBIN="$tools/bin"
[ -x "$GOBIN/protoc-gen-go" ] || GOFLAGS= go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
[ -x "$GOBIN/protoc-gen-connect-go" ] || GOFLAGS= go install connectrpc.com/connect/cmd/protoc-gen-connect-go@v1.21.1
PATH="$GOBIN:$PATH" "$tools/node_modules/.bin/buf" generate
