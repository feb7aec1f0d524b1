package compute

import (
	"errors"
	"testing"

	"google.golang.org/protobuf/proto"

	kcompute "github.com/depin-network/depin/internal/kind/compute"
	"github.com/depin-network/depin/internal/ledger"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
)

func TestCommitMsgBindsTheProvider(t *testing.T) {
	var a, b ledger.Address
	a[0], b[0] = 1, 2
	h := kcompute.ResultHash([]byte("tile"))
	ma, err := CommitMsg(7, 3, 1, a, h)
	if err != nil {
		t.Fatal(err)
	}
	mb, _ := CommitMsg(7, 3, 1, b, h)
	var ca, cb computev1.MsgCommit
	if proto.Unmarshal(ma.Value, &ca) != nil || proto.Unmarshal(mb.Value, &cb) != nil {
		t.Fatal("commit messages do not decode")
	}
	want := kcompute.Commitment(7, 3, 1, a, h[:])
	if string(ca.Commitment) != string(want[:]) || ma.Type != TypeCommit {
		t.Errorf("commitment %x, want %x", ca.Commitment, want)
	}
	if string(ca.Commitment) == string(cb.Commitment) {
		t.Error("two providers commit the same bytes for the same result")
	}
}

func TestSubmitJobMsgChecks(t *testing.T) {
	if _, err := SubmitJobMsg(Job{Type: kcompute.TypeRender, Input: []byte(`{"width":1.5}`), Tasks: 1, Replicas: 1, Price: 1}); !errors.Is(err, kcompute.ErrInvalidJob) {
		t.Errorf("bad scene: got %v", err)
	}
	m, err := SubmitJobMsg(Job{Type: kcompute.TypeHash, Input: []byte("data"), Tasks: 2, Rounds: 3, Replicas: 2, Price: 5})
	if err != nil || m.Type != TypeSubmitJob {
		t.Fatalf("hash job: %v", err)
	}
}

func TestParseMode(t *testing.T) {
	for s, want := range map[string]Mode{"honest": Honest, "": Honest, "wrong": Wrong, "lazy": Lazy} {
		if got, err := ParseMode(s); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseMode("evil"); err == nil {
		t.Error("an unknown mode parsed")
	}
}
