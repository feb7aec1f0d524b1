package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/client"
)

// devnetProc is a `depin devnet` child process on its own loopback ports.
type devnetProc struct {
	home                                             string
	rpc, p2p, api, ingest, oracle, metrics, explorer int
	cmd                                              *exec.Cmd
	out                                              *tailBuffer
	done                                             chan struct{}
}

func startDevnetProc(t *testing.T, bin, home string, env []string) *devnetProc {
	t.Helper()
	d := &devnetProc{home: home, rpc: freePort(t), p2p: freePort(t), api: freePort(t), ingest: freePort(t), oracle: freePort(t), metrics: freePort(t), explorer: freePort(t),
		out: &tailBuffer{max: 64 << 10}, done: make(chan struct{})}
	d.cmd = exec.Command(bin, "devnet", "--home", home, "--devices", "0",
		"--rpc.laddr", fmt.Sprintf("tcp://127.0.0.1:%d", d.rpc), "--p2p.laddr", fmt.Sprintf("tcp://127.0.0.1:%d", d.p2p),
		"--api.laddr", fmt.Sprintf("127.0.0.1:%d", d.api), "--ingest.laddr", fmt.Sprintf("127.0.0.1:%d", d.ingest),
		"--oracle.laddr", fmt.Sprintf("127.0.0.1:%d", d.oracle), "--metrics.laddr", fmt.Sprintf("127.0.0.1:%d", d.metrics),
		"--explorer.laddr", fmt.Sprintf("127.0.0.1:%d", d.explorer), "--data.laddr", fmt.Sprintf("127.0.0.1:%d", freePort(t)))
	d.cmd.Env = env
	d.cmd.Stdin = strings.NewReader("")
	d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.cmd.Wait(); close(d.done) }()
	t.Cleanup(func() {
		d.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-d.done:
		case <-time.After(procStopTimeout):
			d.cmd.Process.Kill()
			<-d.done
		}
	})
	return d
}

// waitUp waits until the devnet has committed height 2 and every listener
// answers.
func (d *devnetProc) waitUp(t *testing.T) {
	t.Helper()
	c, _ := client.New(fmt.Sprintf("http://127.0.0.1:%d", d.rpc))
	deadline := time.Now().Add(procReadyTimeout)
	for {
		st, err := c.Status(context.Background())
		if err == nil && st.Height >= 2 {
			break
		}
		select {
		case <-d.done:
			t.Fatalf("devnet %s exited:\n%s", d.home, d.out.Tail(4096))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("devnet %s not up in %s:\n%s", d.home, procReadyTimeout, d.out.Tail(4096))
		}
		time.Sleep(procPoll)
	}
	for _, u := range []string{
		fmt.Sprintf("http://127.0.0.1:%d/status", d.api),
		fmt.Sprintf("http://127.0.0.1:%d/metrics", d.ingest),
		fmt.Sprintf("http://127.0.0.1:%d/metrics", d.metrics),
		fmt.Sprintf("http://127.0.0.1:%d/metrics", d.explorer),
	} {
		for {
			resp, err := http.Get(u)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %v\n%s", u, err, d.out.Tail(4096))
			}
			time.Sleep(procPoll)
		}
	}
	if !strings.Contains(d.out.Tail(1<<16), fmt.Sprintf("oracle: http://127.0.0.1:%d", d.oracle)) {
		t.Errorf("devnet %s: output does not show the oracle on its port:\n%s", d.home, d.out.Tail(4096))
	}
}

// TestDevnetSideBySide: `depin devnet --init-only` initialises without
// starting; two devnets run side by side with every port set by a flag;
// the client config then points at the last one, so commands need no
// --home, --node or --keyring-backend; flags still win over it.
func TestDevnetSideBySide(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two devnets")
	}
	bin := depinBinary(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "client.toml")
	env := append(os.Environ(), envClientConfig+"="+cfg)
	run := func(args ...string) cliOut {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), procCLITimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = env
		var so, se strings.Builder
		cmd.Stdout, cmd.Stderr = &so, &se
		err := cmd.Run()
		r := cliOut{args: args, stdout: so.String(), stderr: se.String()}
		if err != nil {
			r.code = 1
		}
		return r
	}
	homeA, homeB := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	r := mustSucceed(t, run("devnet", "--init-only", "--home", homeA))
	if !strings.Contains(r.stdout, "initialised devnet") {
		t.Errorf("devnet --init-only: got %q", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(homeA, "config", "genesis.json")); err != nil {
		t.Fatalf("devnet --init-only wrote no genesis: %v", err)
	}
	if _, err := os.Stat(cfg); err == nil {
		t.Errorf("devnet --init-only wrote the client config; only a started devnet should")
	}

	a := startDevnetProc(t, bin, homeA, env)
	a.waitUp(t)
	checkScrapes(t, a)
	b := startDevnetProc(t, bin, homeB, env)
	b.waitUp(t)
	if got := strings.TrimSpace(mustSucceed(t, run("config", "get", "node")).stdout); got != fmt.Sprintf("http://127.0.0.1:%d", b.rpc) {
		t.Errorf("client config node: got %q, want devnet b's RPC", got)
	}
	// No --home, --node, --keyring-backend: from the client config (b).
	r = mustSucceed(t, run("query", "bank", "balance", "dev1", "-o", "json"))
	if !strings.Contains(r.stdout, "1000000000000") {
		t.Errorf("balance of dev1 via client config: got %s", r.stdout)
	}
	mustSucceed(t, run("tx", "bank", "send", "dev1", "dev2", "1pin", "-y"))
	if r := run("tx", "bank", "send", "dev1", "dev2", "1pin", "--chain-id", "other-chain"); r.code == 0 || !strings.Contains(r.stderr, `not "other-chain"`) {
		t.Errorf("tx on the wrong chain: got %s", r)
	}
	r = mustSucceed(t, run("status", "-o", "json"))
	if !strings.Contains(r.stdout, `"chain_id":"depin-devnet"`) {
		t.Errorf("status via client config: got %s", r.stdout)
	}
	// A flag wins over the client config: devnet a's RPC.
	r = mustSucceed(t, run("status", "-o", "json", "--node", fmt.Sprintf("127.0.0.1:%d", a.rpc)))
	if !strings.Contains(r.stdout, fmt.Sprintf(`"node":"http://127.0.0.1:%d"`, a.rpc)) {
		t.Errorf("status --node a: got %s", r.stdout)
	}
	// depin init ignores the configured home: it makes a new one.
	userHome := filepath.Join(dir, "user")
	env = append(env, "HOME="+userHome)
	mustSucceed(t, run("init", "--chain-id", "fresh", "--authority", "pin1lx4vyhxwurad648wejqy52vxr60u7fx5l5p4y3"))
	if _, err := os.Stat(filepath.Join(userHome, ".depin", "config", "genesis.json")); err != nil {
		t.Errorf("init without --home: %v", err)
	}
	if r := run("config", "set", "colour", "blue"); r.code == 0 || !strings.Contains(r.stderr, "unknown setting") {
		t.Errorf("config set colour: got %s", r)
	}
}

func addr(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }
