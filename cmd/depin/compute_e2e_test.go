package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/compute"
	"github.com/depin-network/depin/internal/keyring"
	"github.com/depin-network/depin/internal/kind/compute/render"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/relay"
	"github.com/depin-network/depin/internal/sig"
)

// TestComputeDevnetEndToEnd runs a devnet with the compute fleet until its
// consumer has rendered the scene: the wrong-tile provider and the lazy
// copier are slashed, the image equals a local render, and the honest
// relay is paid for the streamed file while the inflating one is not.
func TestComputeDevnetEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a devnet with the compute fleet for up to two minutes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	home := devnetHome(t, "depin-compute-e2e-", "compute")
	n, _, logger, logs := openDevnetNode(t, home, nil)
	runCtx, stopRun := context.WithCancel(ctx)
	nodeDone := make(chan error, 1)
	go func() { nodeDone <- n.Run(runCtx) }()
	stopFleet, err := computeFleet.start(runCtx, fleetEnv{node: n, home: home, out: io.Discard, logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		stopRun()
		stopFleet()
		if err := <-nodeDone; err != nil {
			t.Errorf("node Run: %v", err)
		}
		if t.Failed() {
			t.Logf("log tail:\n%s", logs.Tail(60))
		}
	}()

	img := filepath.Join(home, "compute", "job-1.png")
	var got []byte
	for got == nil {
		if ctx.Err() != nil {
			t.Fatalf("timed out waiting for %s", img)
		}
		time.Sleep(time.Second)
		got, _ = os.ReadFile(img)
	}
	s, err := render.Decode([]byte(devScene))
	if err != nil {
		t.Fatal(err)
	}
	want, err := render.EncodePNG(s.Width, s.Height, render.Render(s))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the devnet's rendered image differs from a local render")
	}
	kr, err := keyring.Open(keyring.Dir(home), keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	addr := func(name string) ledger.Address {
		k, err := kr.PrivateKey(name)
		if err != nil {
			t.Fatal(err)
		}
		return ledger.AddressOf(sig.PublicOf(k))
	}
	st := n.App.Committed()
	for name, cheat := range map[string]bool{"compute-honest-1": false, "compute-honest-2": false, "compute-wrong": true, "compute-lazy": true} {
		p, ok := compute.GetProvider(st, addr(name))
		if !ok {
			t.Fatalf("%s is not a compute provider", name)
		}
		if (p.Slashes > 0) != cheat {
			t.Errorf("%s: %d slashes, cheater %v", name, p.Slashes, cheat)
		}
	}
	consumer := addr("compute-consumer")
	honest, _ := relay.GetChannel(st, consumer, addr("relay-honest"))
	inflator, _ := relay.GetChannel(st, consumer, addr("relay-inflator"))
	if honest == nil || inflator == nil || honest.Bytes == 0 || honest.Paid == 0 || inflator.Paid != 0 {
		t.Errorf("relay channels: honest %v, inflator %v; want the honest relay paid and the inflator not", honest, inflator)
	}
}
