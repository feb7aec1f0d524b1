package agent

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func fixedNow(t time.Time) func() time.Time { return func() time.Time { return t } }

func TestNonceStoreStartsAtClock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	at := time.Unix(1_700_000_000, 123_456_000)
	s, err := OpenNonceStore(path, 4, fixedNow(at))
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.Next()
	if err != nil {
		t.Fatal(err)
	}
	if want := uint64(at.UnixMicro()) + 1; n != want {
		t.Errorf("got first nonce %d, want %d", n, want)
	}
}

// TestNonceStoreRestart takes nonces, drops the store without any shutdown
// (as a crash would), reopens it and checks that no nonce comes back.
func TestNonceStoreRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	var last uint64
	for run := range 5 {
		s, err := OpenNonceStore(path, 3, fixedNow(time.Unix(100, 0)))
		if err != nil {
			t.Fatalf("run %d: open: %v", run, err)
		}
		for i := range run + 2 {
			n, err := s.Next()
			if err != nil {
				t.Fatalf("run %d: next: %v", run, err)
			}
			if n <= last {
				t.Fatalf("run %d, nonce %d: got %d, want above %d", run, i, n, last)
			}
			last = n
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o600 {
		t.Errorf("got state mode %04o, want 0600", got)
	}
}

func TestNonceStoreCorrupt(t *testing.T) {
	for _, body := range []string{"", "{", `{"version":2,"reserved":5}`, `{"version":1,"reserved":-1}`} {
		path := filepath.Join(t.TempDir(), "state.json")
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := OpenNonceStore(path, 0, nil); err == nil {
			t.Errorf("state %q: got nil error, want one", body)
		}
	}
}

func TestNonceStoreUnwritable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "state.json")
	s, err := OpenNonceStore(path, 2, fixedNow(time.Unix(1, 0)))
	if err != nil {
		t.Fatal(err)
	}
	before := s.Last()
	if _, err := s.Next(); err == nil {
		t.Fatal("Next with an unwritable state: got nil error, want one")
	}
	if got := s.Last(); got != before {
		t.Errorf("failed Next moved the nonce: got %d, want %d", got, before)
	}
}

// TestNonceStoreProperty interleaves nonces and restarts at random: every
// nonce exceeds every earlier one.
func TestNonceStoreProperty(t *testing.T) {
	dir := t.TempDir()
	run := 0
	rapid.Check(t, func(rt *rapid.T) {
		run++
		path := filepath.Join(dir, "state-"+strconv.Itoa(run)+".json")
		block := rapid.Uint64Range(1, 10).Draw(rt, "block")
		s, err := OpenNonceStore(path, block, fixedNow(time.Unix(0, 0)))
		if err != nil {
			rt.Fatal(err)
		}
		var last uint64
		ops := rapid.SliceOfN(rapid.IntRange(0, 4), 1, 60).Draw(rt, "ops")
		for _, op := range ops {
			if op == 0 {
				if s, err = OpenNonceStore(path, block, fixedNow(time.Unix(0, 0))); err != nil {
					rt.Fatal(err)
				}
				continue
			}
			n, err := s.Next()
			if err != nil {
				rt.Fatal(err)
			}
			if n <= last {
				rt.Fatalf("got nonce %d after %d", n, last)
			}
			last = n
		}
	})
}
