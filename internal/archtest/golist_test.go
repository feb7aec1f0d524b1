package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// module is the module path of this repository.
const module = "github.com/depin-network/depin"

// pkg is the part of `go list -json` the tests read.
type pkg struct {
	ImportPath string
	Dir        string
	Doc        string
	Name       string
	GoFiles    []string
	CgoFiles   []string
	Imports    []string
	Export     string
	Standard   bool
	DepOnly    bool
	Error      *struct{ Err string }
}

// rel is the package's path inside the module ("internal/bank"), or its
// import path if it is outside.
func (p *pkg) rel() string {
	if r, ok := strings.CutPrefix(p.ImportPath, module+"/"); ok {
		return r
	}
	return p.ImportPath
}

// files returns the absolute paths of the package's non-test Go files.
func (p *pkg) files() []string {
	var out []string
	for _, f := range append(append([]string(nil), p.GoFiles...), p.CgoFiles...) {
		out = append(out, filepath.Join(p.Dir, f))
	}
	return out
}

var (
	rootOnce sync.Once
	rootDir  string
	rootErr  error
)

// moduleRoot returns the directory holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	rootOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			rootErr = fmt.Errorf("go env GOMOD: %w", err)
			return
		}
		gomod := strings.TrimSpace(string(out))
		if gomod == "" || gomod == "/dev/null" {
			rootErr = errors.New("go env GOMOD: not inside a module")
			return
		}
		rootDir = filepath.Dir(gomod)
	})
	if rootErr != nil {
		t.Fatal(rootErr)
	}
	return rootDir
}

// goList runs `go list -e -json` with extra flags over patterns from the
// module root and returns the packages in the order go list printed them.
func goList(t *testing.T, flags []string, patterns ...string) []*pkg {
	t.Helper()
	args := append(append([]string{"list", "-e", "-json"}, flags...), patterns...)
	cmd := exec.Command("go", args...)
	cmd.Dir = moduleRoot(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	var pkgs []*pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		p := new(pkg)
		if err := dec.Decode(p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list: decode output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// modulePackages lists every package of the module. Packages that fail to
// load are reported by the compiler, not here, and are skipped with a log
// line so that one engineer's half-written package does not hide an
// architecture violation elsewhere.
func modulePackages(t *testing.T) []*pkg {
	t.Helper()
	var out []*pkg
	for _, p := range goList(t, nil, "./...") {
		if p.Error != nil && len(p.GoFiles) == 0 {
			t.Logf("skipping %s: %s", p.ImportPath, p.Error.Err)
			continue
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		t.Fatal("go list ./... found no packages")
	}
	return out
}

// domainNames are the pure packages of the ledger and the network kinds
// (STYLE "Layout"), relative to internal/. Those not written yet are
// skipped; app is the deterministic state machine that runs them.
var domainNames = []string{
	"ledger", "bank", "params", "device", "epoch", "proof", "reward", "market", "credit", "stake", "gov",
	"kind", "kind/coverage", "kind/energy", "segment", "score", "storage", "sensor", "energy", "compute",
	"kind/compute", "kind/compute/render", "relay", "kind/relay",
	"kind/sensor", "kind/mobile", "dataaccess",
	"app",
}

// isDomain reports whether a module-relative path is a domain package.
func isDomain(rel string) bool {
	for _, d := range domainNames {
		if rel == "internal/"+d {
			return true
		}
	}
	return false
}

// domainPackages returns the domain packages that exist, and fails if the
// core ones are missing (the test would then check nothing).
func domainPackages(t *testing.T, all []*pkg) []*pkg {
	t.Helper()
	var out []*pkg
	seen := map[string]bool{}
	for _, p := range all {
		if isDomain(p.rel()) {
			out = append(out, p)
			seen[p.rel()] = true
		}
	}
	for _, must := range []string{"internal/ledger", "internal/bank", "internal/params", "internal/device", "internal/app"} {
		if !seen[must] {
			t.Fatalf("domain package %s not found by go list: the test would check nothing", must)
		}
	}
	return out
}
