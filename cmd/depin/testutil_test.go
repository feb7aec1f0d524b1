package main

// Helpers for the process-level tests (e2e_test.go, crash_test.go): build
// the depin binary once, run its CLI, and run `depin start` as a child
// process on loopback ports with bounded waits that fail with the node's
// output tail.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/ports"
)

// Bounds of the process tests' waits.
const (
	procBuildTimeout = 5 * time.Minute
	procCLITimeout   = 90 * time.Second
	procReadyTimeout = 60 * time.Second
	procStopTimeout  = 30 * time.Second
	procPoll         = 50 * time.Millisecond
)

var (
	procBinOnce sync.Once
	procBinDir  string
	procBinPath string
	procBinErr  error
)

func TestMain(m *testing.M) {
	// The CLI's client config (depin config, written by depin devnet) is
	// private to this test run, never the user's ~/.depin/client.toml.
	cfgDir, err := os.MkdirTemp("", "depin-client-config-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv(envClientConfig, filepath.Join(cfgDir, "client.toml"))
	code := m.Run()
	os.RemoveAll(cfgDir)
	if procBinDir != "" {
		os.RemoveAll(procBinDir)
	}
	os.Exit(code)
}

// depinBinary builds this package into a temporary directory once per test
// run and returns the binary's path.
func depinBinary(t *testing.T) string {
	t.Helper()
	procBinOnce.Do(func() {
		procBinDir, procBinErr = os.MkdirTemp("", "depin-e2e-bin-")
		if procBinErr != nil {
			return
		}
		procBinPath = filepath.Join(procBinDir, "depin")
		ctx, cancel := context.WithTimeout(context.Background(), procBuildTimeout)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "build", "-o", procBinPath, ".").CombinedOutput()
		if err != nil {
			procBinErr = fmt.Errorf("go build ./cmd/depin: %w\n%s", err, out)
		}
	})
	if procBinErr != nil {
		t.Fatal(procBinErr)
	}
	return procBinPath
}

// cliOut is the outcome of one CLI invocation.
type cliOut struct {
	args   []string
	stdout string
	stderr string
	code   int
}

func (r cliOut) String() string {
	return fmt.Sprintf("depin %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// runDepin runs the binary with args, without a terminal, and returns what
// it printed and its exit code.
func runDepin(t *testing.T, bin string, args ...string) cliOut {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), procCLITimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = strings.NewReader("")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := cliOut{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && ctx.Err() == nil:
		r.code = exit.ExitCode()
	default:
		t.Fatalf("depin %s: %v (timeout %s)\n%s", strings.Join(args, " "), err, procCLITimeout, r)
	}
	return r
}

// mustSucceed fails the test unless r exited 0.
func mustSucceed(t *testing.T, r cliOut) cliOut {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("got exit %d, want 0: %s", r.code, r)
	}
	return r
}

// mustFailOneLine fails the test unless r exited non-zero with exactly one
// line on stderr that contains each of want.
func mustFailOneLine(t *testing.T, r cliOut, want ...string) {
	t.Helper()
	if r.code == 0 {
		t.Fatalf("got exit 0, want non-zero: %s", r)
	}
	msg := strings.TrimRight(r.stderr, "\n")
	if msg == "" || strings.Contains(msg, "\n") {
		t.Errorf("got stderr %q, want one line: %s", r.stderr, r)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("got stderr %q, want it to contain %q", msg, w)
		}
	}
}

// decodeJSON decodes r's stdout into v.
func decodeJSON(t *testing.T, r cliOut, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, r)
	}
}

// freePort returns a loopback port no earlier call returned
// (internal/ports).
func freePort(t *testing.T) int {
	t.Helper()
	p, err := ports.Free()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = append([]byte(nil), b.buf[len(b.buf)-b.max:]...)
	}
	return len(p), nil
}

// Tail returns the last n lines.
func (b *tailBuffer) Tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := strings.Split(strings.TrimRight(string(b.buf), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// procNode is a `depin start` child process over one home directory. The
// ports stay the same across restarts.
type procNode struct {
	t    *testing.T
	bin  string
	home string
	rpc  int
	p2p  int
	api  int

	cmd  *exec.Cmd
	out  *tailBuffer
	done chan struct{}
	err  error // the process's exit, valid once done is closed
	runs int

	client *client.Client
}

// newProcNode picks loopback ports for a node over home; start runs it.
func newProcNode(t *testing.T, bin, home string) *procNode {
	t.Helper()
	n := &procNode{t: t, bin: bin, home: home, rpc: freePort(t), p2p: freePort(t), api: freePort(t)}
	c, err := client.New(n.rpcURL())
	if err != nil {
		t.Fatal(err)
	}
	c.PollInterval = procPoll
	n.client = c
	t.Cleanup(func() {
		if n.running() {
			n.cmd.Process.Kill()
			<-n.done
		}
	})
	return n
}

func (n *procNode) rpcURL() string { return fmt.Sprintf("http://127.0.0.1:%d", n.rpc) }
func (n *procNode) apiURL() string { return fmt.Sprintf("http://127.0.0.1:%d", n.api) }

// cli runs a command against this node's home and test keyring; tx and
// query commands also get --node.
func (n *procNode) cli(args ...string) cliOut {
	n.t.Helper()
	full := append([]string(nil), args...)
	full = append(full, "--home", n.home, "--keyring-backend", "test")
	if len(args) > 0 && (args[0] == "tx" || args[0] == "query" || args[0] == "status") {
		full = append(full, "--node", n.rpcURL())
	}
	return runDepin(n.t, n.bin, full...)
}

func (n *procNode) running() bool {
	if n.cmd == nil {
		return false
	}
	select {
	case <-n.done:
		return false
	default:
		return true
	}
}

// start runs `depin start` and waits until its RPC reports a committed
// block above minHeight. If another process took one of the node's ports
// meanwhile, it moves the node to fresh ports and tries again.
func (n *procNode) start(minHeight int64) client.Status {
	n.t.Helper()
	if n.running() {
		n.t.Fatal("start: node is already running")
	}
	for attempt := 1; ; attempt++ {
		n.launch()
		st, err := n.waitHeightErr(minHeight+1, procReadyTimeout)
		if err == nil {
			return st
		}
		if n.running() || attempt == 3 || !strings.Contains(n.out.Tail(40), "address already in use") {
			n.t.Fatal(err)
		}
		n.t.Logf("node start #%d: a port was taken, moving to new ports", n.runs)
		n.rpc, n.p2p, n.api = freePort(n.t), freePort(n.t), freePort(n.t)
		c, cerr := client.New(n.rpcURL())
		if cerr != nil {
			n.t.Fatal(cerr)
		}
		c.PollInterval = procPoll
		n.client = c
	}
}

// launch starts the process.
func (n *procNode) launch() {
	n.t.Helper()
	n.runs++
	n.out = &tailBuffer{max: 256 << 10}
	fmt.Fprintf(n.out, "--- start #%d\n", n.runs)
	n.cmd = exec.Command(n.bin, "start", "--home", n.home,
		"--rpc.laddr", fmt.Sprintf("tcp://127.0.0.1:%d", n.rpc),
		"--p2p.laddr", fmt.Sprintf("tcp://127.0.0.1:%d", n.p2p),
		"--api.laddr", fmt.Sprintf("127.0.0.1:%d", n.api))
	n.cmd.Stdin = strings.NewReader("")
	n.cmd.Stdout, n.cmd.Stderr = n.out, n.out
	if err := n.cmd.Start(); err != nil {
		n.t.Fatalf("start node: %v", err)
	}
	n.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		n.err = cmd.Wait()
		close(done)
	}(n.cmd, n.done)
}

// waitHeight polls the node's status until its height reaches h.
func (n *procNode) waitHeight(h int64, timeout time.Duration) client.Status {
	n.t.Helper()
	st, err := n.waitHeightErr(h, timeout)
	if err != nil {
		n.t.Fatal(err)
	}
	return st
}

// waitHeightErr is waitHeight returning its failure, with the node's
// output tail, instead of failing the test.
func (n *procNode) waitHeightErr(h int64, timeout time.Duration) (client.Status, error) {
	deadline := time.Now().Add(timeout)
	var last error
	var st client.Status
	for {
		select {
		case <-n.done:
			return st, fmt.Errorf("node exited while waiting for height %d: %v\n%s", h, n.err, n.out.Tail(40))
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		s, err := n.client.Status(ctx)
		cancel()
		if err == nil {
			st = s
			if s.Height >= h {
				return s, nil
			}
		}
		last = err
		if time.Now().After(deadline) {
			return st, fmt.Errorf("node did not reach height %d within %s (last height %d, last error %v)\n%s", h, timeout, st.Height, last, n.out.Tail(40))
		}
		time.Sleep(procPoll)
	}
}

// stop sends SIGINT and waits for a clean exit.
func (n *procNode) stop() {
	n.t.Helper()
	if !n.running() {
		n.t.Fatal("stop: node is not running")
	}
	if err := n.cmd.Process.Signal(os.Interrupt); err != nil {
		n.t.Fatalf("stop: signal: %v", err)
	}
	select {
	case <-n.done:
	case <-time.After(procStopTimeout):
		n.cmd.Process.Kill()
		<-n.done
		n.t.Fatalf("node did not stop within %s of SIGINT\n%s", procStopTimeout, n.out.Tail(40))
	}
	if n.err != nil {
		n.t.Fatalf("node exited with %v after SIGINT, want a clean exit\n%s", n.err, n.out.Tail(40))
	}
}

// kill sends SIGKILL (kill -9) and waits for the process to go.
func (n *procNode) kill() {
	n.t.Helper()
	if !n.running() {
		n.t.Fatalf("kill: node is not running (exit %v)\n%s", n.err, n.out.Tail(40))
	}
	if err := n.cmd.Process.Kill(); err != nil {
		n.t.Fatalf("kill: %v", err)
	}
	<-n.done
}

// blockAppHash returns the header app hash of the block at height h from
// CometBFT's /block: the app hash after executing block h-1.
func (n *procNode) blockAppHash(h int64) string {
	n.t.Helper()
	var r struct {
		Result struct {
			Block struct {
				Header struct {
					AppHash string `json:"app_hash"`
				} `json:"header"`
			} `json:"block"`
		} `json:"result"`
	}
	body, status := n.httpGet(n.rpcURL() + "/block?height=" + strconv.FormatInt(h, 10))
	if status != http.StatusOK {
		n.t.Fatalf("/block?height=%d: got HTTP %d: %s", h, status, body)
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Result.Block.Header.AppHash == "" {
		n.t.Fatalf("/block?height=%d: no app hash in %.300s (%v)", h, body, err)
	}
	return r.Result.Block.Header.AppHash
}

// httpGet fetches url and returns the body and HTTP status.
func (n *procNode) httpGet(url string) ([]byte, int) {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		n.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatalf("GET %s: %v\n%s", url, err, n.out.Tail(20))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		n.t.Fatalf("GET %s: read body: %v", url, err)
	}
	return body, resp.StatusCode
}

// abci runs a query path through abci_query and returns its JSON body.
func (n *procNode) abci(path string) []byte {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body, err := n.client.ABCIQuery(ctx, path)
	if err != nil {
		n.t.Fatalf("abci_query %s: %v", path, err)
	}
	return body
}

// query decodes the answer of a query path into v.
func (n *procNode) query(path string, v any) {
	n.t.Helper()
	if err := json.Unmarshal(n.abci(path), v); err != nil {
		n.t.Fatalf("abci_query %s: decode %T: %v", path, v, err)
	}
}
