package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/client/clienttest"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/uplink"
)

// storageProc is a `depin storage provider` process.
type storageProc struct {
	name string
	cmd  *exec.Cmd
	out  *tailBuffer
	done chan struct{}
}

func (p *storageProc) kill9(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatalf("kill -9 %s: %v", p.name, err)
	}
	<-p.done
}

// TestStorageEndToEnd runs the walk-through of issue 13 as a user would,
// every part its own process: a node (`depin init`, short proof windows in
// its genesis, `depin start`), eight `depin storage provider` processes (one
// of them deletes what it acknowledged) and the client through `depin
// storage put/get/status/repair`. A random 16 MiB file is put with
// redundancy 4/8; the proof windows slash the deleting provider and none of
// the honest ones; repair moves the deleter's shard to a newcomer; after
// kill -9 of four providers with active deals (four of the eight live
// shards) `depin storage get` returns the file byte for byte; four new
// providers join and `depin storage repair` brings the live shards back to
// eight, from which the file comes back again.
func TestStorageEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node, thirteen provider processes and a 16 MiB file for about a minute")
	}
	bin := depinBinary(t)
	t.Setenv(keyring.EnvPassphrase, "")
	names := []string{"alice"}
	for i := range 13 {
		names = append(names, fmt.Sprintf("prov%d", i))
	}
	home := t.TempDir()
	kr, err := keyring.Open(keyring.Dir(home), keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	initArgs := []string{"init", "--home", home, "--chain-id", "depin-storage-e2e", "--block-time", "100ms"}
	for _, n := range names {
		seed := make([]byte, 32)
		copy(seed, n)
		if _, err := kr.AddFromSeed(n, seed); err != nil {
			t.Fatal(err)
		}
		initArgs = append(initArgs, "--account", clienttest.Addr(n).String()+"=1000000000000")
	}
	mustSucceed(t, runDepin(t, bin, initArgs...))
	// Short proof windows (a window every 40 blocks, about 4 s), two
	// failures in a row close a deal, and acknowledgements and settlements
	// that never hurry the test.
	setGenesisParams(t, home, map[string]uint64{storage.ProofPeriod.Name: 40, storage.ProofWindow.Name: 30, storage.MaxMissedInRow.Name: 2,
		storage.AckTimeout.Name: 2_000, "market.settle_period_blocks": 1_000})
	node := newProcNode(t, bin, home)
	node.start(1)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	common := []string{"--home", home, "--keyring-backend", "test", "--node", node.rpcURL()}
	start := func(i int, price, adversary string) *storageProc {
		name := fmt.Sprintf("prov%d", i)
		args := append([]string{"storage", "provider", "--from", name, "--dir", filepath.Join(home, name), "--listen", "127.0.0.1:0",
			"--price", price, "--poll", "100ms", "--capacity", "1GiB"}, common...)
		if adversary != "" {
			args = append(args, "--adversary", adversary)
		}
		p := &storageProc{name: name, cmd: exec.Command(bin, args...), out: &tailBuffer{max: 64 << 10}, done: make(chan struct{})}
		p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { p.cmd.Wait(); close(p.done) }()
		return p
	}
	// prov0 bids lowest, so it gets a shard, and deletes it once acknowledged.
	procs := []*storageProc{start(0, "1upin", "delete")}
	for i := 1; i < 8; i++ {
		procs = append(procs, start(i, "2upin", ""))
	}
	defer func() {
		for _, p := range procs {
			select {
			case <-p.done:
			default:
				p.cmd.Process.Kill()
				<-p.done
			}
		}
		if t.Failed() {
			t.Logf("node:\n%s", node.out.Tail(30))
			for _, p := range procs {
				t.Logf("%s:\n%s", p.name, p.out.Tail(15))
			}
		}
	}()

	data := make([]byte, 16<<20)
	rand.Read(data)
	in := filepath.Join(home, "photo.tar")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	put := mustSucceed(t, runDepin(t, bin, append([]string{"storage", "put", in, "--from", "alice", "--redundancy", "4/8",
		"--duration", "20000", "--max-price", "2upin", "--bid-wait", "60s"}, common...)...))
	cid := strings.TrimSpace(put.stdout)
	status := func() uplink.Status {
		t.Helper()
		var st uplink.Status
		r := mustSucceed(t, runDepin(t, bin, append([]string{"storage", "status", cid, "-o", "json"}, common...)...))
		if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
			t.Fatalf("status: %v\n%s", err, r.stdout)
		}
		return st
	}
	get := func(label string) {
		t.Helper()
		out := filepath.Join(home, "copy-"+label)
		mustSucceed(t, runDepin(t, bin, append([]string{"storage", "get", cid, "--out", out, "--from", "alice"}, common...)...))
		got, err := os.ReadFile(out)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s: got %d bytes back (%v), want the %d put, byte for byte", label, len(got), err, len(data))
		}
	}
	if st := status(); st.Live != 8 || st.K != 4 || st.N != 8 || st.Size != uint64(len(data)) {
		t.Fatalf("after put: %+v", st)
	}
	get("after-put")

	deleter := clienttest.Addr("prov0").String()
	wait := func(what string, cond func(uplink.Status) bool) uplink.Status {
		t.Helper()
		for {
			st := status()
			if cond(st) {
				return st
			}
			select {
			case <-ctx.Done():
				t.Fatalf("timed out waiting for %s: %+v", what, st)
			case <-time.After(500 * time.Millisecond):
			}
		}
	}
	st := wait("the deleting provider's deal to close", func(st uplink.Status) bool {
		for _, d := range st.Deals {
			if d.Provider == deleter && d.State == "closed" {
				return true
			}
		}
		return false
	})
	for _, d := range st.Deals {
		switch {
		case d.Provider == deleter && (d.CloseReason != "faulty" || d.Burned == 0 || d.SlashedToOwner == 0):
			t.Fatalf("deleting provider's deal not slashed: %+v", d)
		case d.Provider != deleter && (d.State != "active" || d.ProofsMissed != 0 || d.Burned != 0 || d.ProofsPassed == 0):
			t.Fatalf("honest deal %d: %+v", d.ID, d)
		}
	}

	// The deleter is done (its deal closed); it goes, and repair puts its
	// shard on a newcomer, so all eight shards are live again.
	procs[0].kill9(t)
	procs = append(procs, start(8, "2upin", ""))
	mustSucceed(t, runDepin(t, bin, append([]string{"storage", "repair", cid, "--from", "alice"}, common...)...))
	if st := status(); st.Live != 8 {
		t.Fatalf("after repairing the deleter's shard: %d live shards, want 8: %+v", st.Live, st.Deals)
	}

	// kill -9 four providers whose deals are active: four of the eight
	// live shards go, the file still comes back.
	active := map[string]bool{}
	for _, d := range status().Deals {
		if d.State == "active" {
			active[d.Provider] = true
		}
	}
	for _, p := range procs[1:5] {
		if !active[clienttest.Addr(p.name).String()] {
			t.Fatalf("%s holds no active deal", p.name)
		}
		p.kill9(t)
	}
	get("four-killed")

	// Four providers join; once the killed ones' deals closed, repair
	// rebuilds their shards onto the newcomers.
	for i := 9; i < 13; i++ {
		procs = append(procs, start(i, "2upin", ""))
	}
	wait("the killed providers' deals to close", func(st uplink.Status) bool { return st.Live == 4 })
	mustSucceed(t, runDepin(t, bin, append([]string{"storage", "repair", cid, "--from", "alice"}, common...)...))
	if st := status(); st.Live != 8 {
		t.Fatalf("after repair: %d live shards, want 8: %+v", st.Live, st.Deals)
	}
	// The first survivors stop too, all three: the file comes back from
	// the repaired shards and the one left (prov8's).
	for _, p := range procs[5:8] {
		p.kill9(t)
	}
	get("repaired")
}
