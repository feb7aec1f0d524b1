package archtest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// hasPathPrefix reports whether path is prefix or below it.
func hasPathPrefix(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// forbiddenStd are standard packages a domain package must not import, and
// why (DESIGN §2.1: no I/O, no wall clock, no randomness in the ledger).
var forbiddenStd = []struct{ path, why string }{
	{"net", "does network I/O"},
	{"os", "does operating-system I/O"},
	{"syscall", "does operating-system I/O"},
	{"io/ioutil", "does file I/O"},
	{"plugin", "loads code at run time"},
	{"math/rand", "is non-deterministic randomness (entropy comes from the block)"},
	{"crypto/rand", "is non-deterministic randomness (entropy comes from the block)"},
	{"database/sql", "is a database driver interface (state lives behind ledger.Store)"},
	{"log", "logs (the ledger emits typed events instead, STYLE 'Errors, logs, config')"},
	{"runtime/cgo", "is cgo"},
}

// domainViolation says why a domain package may not import path, or "".
func domainViolation(path string) string {
	if !strings.Contains(strings.SplitN(path, "/", 2)[0], ".") {
		// Standard library: everything but the forbidden list.
		for _, f := range forbiddenStd {
			if hasPathPrefix(path, f.path) {
				return f.why
			}
		}
		return ""
	}
	if rel, ok := strings.CutPrefix(path, module+"/"); ok {
		switch {
		case isDomain(rel), rel == "internal/sig", rel == "internal/merkle", hasPathPrefix(rel, "proto"):
			return ""
		}
		return "is not a domain package: domain packages import only the standard library, other domain packages, internal/sig, internal/merkle and proto/"
	}
	if hasPathPrefix(path, "google.golang.org/protobuf") {
		return ""
	}
	for _, a := range adapters {
		for _, p := range a.prefixes {
			if hasPathPrefix(path, p) {
				return fmt.Sprintf("is %s, which only %s may import", a.what, strings.Join(a.allowed, ", "))
			}
		}
	}
	return "is a third-party module: domain packages import only the standard library and protobuf"
}

// adapter is a dependency with the packages allowed to import it (STYLE
// "Layout": a dependency is imported by one adapter package).
type adapter struct {
	what     string
	prefixes []string
	// allowed are module-relative paths; a package at or below one of them
	// may import the dependency.
	allowed []string
}

var adapters = []adapter{
	// internal/bench embeds nodes like internal/node does: the ledger
	// benchmark's baseline is CometBFT's own kvstore app (DESIGN §4).
	{"CometBFT", []string{"github.com/cometbft/cometbft", "github.com/cometbft/cometbft-db"}, []string{"internal/abci", "internal/node", "internal/bench", "cmd"}},
	{"Pebble", []string{"github.com/cockroachdb/pebble"}, []string{"internal/store"}},
	{"H3", []string{"github.com/uber/h3-go"}, []string{"internal/geo"}},
	{"NATS", []string{"github.com/nats-io"}, []string{"internal/ingest", "cmd"}},
	{"an ed25519 implementation", []string{"github.com/oasisprotocol/curve25519-voi", "crypto/ed25519", "golang.org/x/crypto/ed25519"}, []string{"internal/sig"}},
	{"a SQL database driver", []string{"modernc.org/sqlite", "github.com/mattn/go-sqlite3", "github.com/lib/pq", "github.com/jackc/pgx"}, []string{"internal/indexer"}},
	{"an embedded key-value database", []string{"github.com/syndtr/goleveldb", "go.etcd.io/bbolt", "github.com/dgraph-io/badger"}, []string{"internal/store"}},
}

// adapterViolation says why the package at module-relative path rel may not
// import path, or "".
func adapterViolation(rel, path string) string {
	for _, a := range adapters {
		for _, p := range a.prefixes {
			if !hasPathPrefix(path, p) {
				continue
			}
			for _, ok := range a.allowed {
				if hasPathPrefix(rel, ok) {
					return ""
				}
			}
			return fmt.Sprintf("imports %s (%s); only %s may", a.what, path, strings.Join(a.allowed, ", "))
		}
	}
	return ""
}

// TestDomainImports: domain packages import no I/O, randomness, database,
// consensus or transport package, and no module-internal adapter.
func TestDomainImports(t *testing.T) {
	all := modulePackages(t)
	for _, p := range domainPackages(t, all) {
		for _, imp := range p.Imports {
			if why := domainViolation(imp); why != "" {
				t.Errorf("%s imports %s, which %s", p.rel(), imp, why)
			}
		}
	}
}

// TestAdapterImports: each third-party engine is imported by its adapter
// package only.
func TestAdapterImports(t *testing.T) {
	for _, p := range modulePackages(t) {
		for _, imp := range p.Imports {
			if why := adapterViolation(p.rel(), imp); why != "" {
				t.Errorf("%s %s", p.rel(), why)
			}
		}
	}
}

// TestImportRules checks the rules themselves on known answers, so that a
// rule that silently stopped matching would fail here.
func TestImportRules(t *testing.T) {
	domain := []struct {
		imp  string
		want bool // violation expected
	}{
		{"fmt", false},
		{"time", false},
		{"crypto/sha256", false},
		{"math/big", false},
		{"net", true},
		{"net/http", true},
		{"os", true},
		{"os/exec", true},
		{"syscall", true},
		{"math/rand", true},
		{"math/rand/v2", true},
		{"database/sql", true},
		{"log/slog", true},
		{module + "/internal/ledger", false},
		{module + "/internal/sig", false},
		{module + "/internal/merkle", false},
		{module + "/proto/depin/tx/v1", false},
		{module + "/internal/store", true},
		{module + "/internal/geo", true},
		{module + "/internal/node", true},
		{"google.golang.org/protobuf/proto", false},
		{"github.com/cometbft/cometbft/abci/types", true},
		{"github.com/cockroachdb/pebble/v2", true},
		{"github.com/nats-io/nats.go", true},
		{"modernc.org/sqlite", true},
		{"github.com/uber/h3-go/v4", true},
		{"github.com/spf13/cobra", true},
	}
	for _, c := range domain {
		if got := domainViolation(c.imp) != ""; got != c.want {
			t.Errorf("domain import %s: got violation %v, want %v", c.imp, got, c.want)
		}
	}
	adapter := []struct {
		rel, imp string
		want     bool
	}{
		{"internal/abci", "github.com/cometbft/cometbft/abci/types", false},
		{"internal/node", "github.com/cometbft/cometbft/node", false},
		{"cmd/depin", "github.com/cometbft/cometbft/config", false},
		{"internal/app", "github.com/cometbft/cometbft/types", true},
		{"internal/abcix", "github.com/cometbft/cometbft/types", true},
		{"internal/bench", "github.com/cometbft/cometbft/abci/example/kvstore", false},
		{"internal/ingest", "github.com/cometbft/cometbft/rpc/client/http", true},
		{"internal/store", "github.com/cockroachdb/pebble/v2", false},
		{"internal/node", "github.com/cockroachdb/pebble/v2", true},
		{"internal/geo", "github.com/uber/h3-go/v4", false},
		{"internal/kind/coverage", "github.com/uber/h3-go/v4", true},
		{"internal/ingest", "github.com/nats-io/nats-server/v2/server", false},
		{"internal/oracle", "github.com/nats-io/nats.go", true},
		{"internal/api", "net/http", false},
		{"internal/sig", "github.com/oasisprotocol/curve25519-voi/primitives/ed25519", false},
		{"internal/ingest", "github.com/oasisprotocol/curve25519-voi/primitives/ed25519", true},
		{"internal/app", "crypto/ed25519", true},
	}
	for _, c := range adapter {
		if got := adapterViolation(c.rel, c.imp) != ""; got != c.want {
			t.Errorf("%s importing %s: got violation %v, want %v", c.rel, c.imp, got, c.want)
		}
	}
	if !slices.Contains(domainNames, "app") || !isDomain("internal/ledger") || isDomain("internal/node") {
		t.Errorf("domain list: got %v, want ledger and app in it and node out of it", domainNames)
	}
}
