package computesim

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	acompute "github.com/depin-network/depin/agent/compute"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/client/clienttest"
	kcompute "github.com/depin-network/depin/internal/kind/compute"
	"github.com/depin-network/depin/internal/kind/compute/render"
	"github.com/depin-network/depin/internal/market"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
)

// TestRenderWithCheaters renders a scene on a chain (the real app in
// process, reached over HTTP through internal/client) with four providers:
// two honest, one returning wrong tiles and one lazy copier. The cheaters
// are slashed and the consumer's assembled PNG equals a local render.
func TestRenderWithCheaters(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: skipped under -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	labels := []string{"honest1", "honest2", "wrong", "lazy", "verifier", "alice"}
	g := clienttest.Genesis("authority", 1_000_000_000_000, labels...)
	g.Params = map[string]uint64{"compute.commit_blocks": 12, "compute.reveal_blocks": 12, "compute.verify_blocks": 12}
	ch, err := clienttest.NewChain("depin-compute-e2e", g)
	if err != nil {
		t.Fatal(err)
	}
	node := httptest.NewServer(ch)
	defer node.Close()
	c, err := client.New(node.URL)
	if err != nil {
		t.Fatal(err)
	}
	c.PollInterval = time.Millisecond
	wallet := func(l string) *Wallet { return &Wallet{Client: c, Key: clienttest.Key(l), Fee: 1_000} }

	modes := map[string]acompute.Mode{"honest1": acompute.Honest, "honest2": acompute.Honest, "wrong": acompute.Wrong, "lazy": acompute.Lazy}
	var provs []*acompute.Provider
	for _, l := range []string{"honest1", "honest2", "wrong", "lazy"} { // the lazy one acts last: it copies
		w := wallet(l)
		p := &acompute.Provider{Chain: w, Addr: w.Addr(), Mode: modes[l]}
		srv := httptest.NewServer(p.Handler())
		defer srv.Close()
		cp, _ := proto.Marshal(&marketv1.MsgCreateProvider{HostUri: srv.URL})
		reg, _ := acompute.RegisterMsg(10_000_000)
		if err := w.Send(ctx, acompute.Msg{Type: market.TypeCreateProvider, Value: cp}, reg); err != nil {
			t.Fatalf("%s: register: %v", l, err)
		}
		provs = append(provs, p)
	}
	vw := wallet("verifier")
	sv, _ := acompute.SetVerifierMsg(vw.Addr())
	if err := wallet("authority").Send(ctx, sv); err != nil {
		t.Fatal(err)
	}
	ver := &acompute.Verifier{Chain: vw, Addr: vw.Addr()}

	scene, err := os.ReadFile(filepath.Join("..", "..", "kind", "compute", "render", "testdata", "spheres.json"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := render.Decode(scene)
	if err != nil {
		t.Fatal(err)
	}
	s.Width, s.Height, s.Samples = 96, 64, 1
	scene = s.Encode()
	aw := wallet("alice")
	cons := &acompute.Consumer{Chain: aw, Addr: aw.Addr(), HTTP: &http.Client{Timeout: 10 * time.Second}}
	id, err := cons.Submit(ctx, acompute.Job{Type: kcompute.TypeRender, Input: scene, Tasks: 16, Replicas: 2, Price: 1_000})
	if err != nil {
		t.Fatal(err)
	}
	var job acompute.JobInfo
	for job.State != "done" && job.State != "failed" {
		for _, p := range provs {
			if _, err := p.Step(ctx); err != nil {
				t.Logf("provider step: %v", err)
			}
		}
		if _, err := ver.Step(ctx); err != nil {
			t.Logf("verifier step: %v", err)
		}
		// The in-process chain makes blocks only for transactions: add
		// an empty one so that the windows pass.
		if _, err := ch.Block(); err != nil {
			t.Fatal(err)
		}
		if job, err = acompute.GetJob(ctx, aw, id); err != nil {
			t.Fatal(err)
		}
		if ctx.Err() != nil {
			t.Fatalf("job %d still %s (%d done)", id, job.State, job.Done)
		}
	}
	if job.State != "done" {
		t.Fatalf("job %d: %s (%d done, %d failed)", id, job.State, job.Done, job.Failed)
	}
	got, err := cons.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want, err := render.EncodePNG(s.Width, s.Height, render.Render(s))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the assembled image differs from a local render")
	}
	for l, cheat := range map[string]bool{"honest1": false, "honest2": false, "wrong": true, "lazy": true} {
		var p struct {
			Slashes string `json:"slashes"`
			Jailed  bool   `json:"jailed"`
		}
		if err := c.Query(ctx, "compute/providers/"+clienttest.Addr(l).String(), &p); err != nil {
			t.Fatal(err)
		}
		if (p.Slashes != "0") != cheat {
			t.Errorf("%s: %s slashes, cheater %v", l, p.Slashes, cheat)
		}
	}
	t.Logf("job %d done: paid %s, refunded %s, slashed in %s", id, job.Paid, job.Refunded, job.SlashedIn)
}
