package indexer_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/depin-network/depin/internal/indexer"
)

// childEnv makes the test binary an indexer process over crashChain's
// blocks writing to the database at its value.
const childEnv = "DEPIN_INDEXER_CRASH_CHILD"

const crashBlocks = 600

func TestMain(m *testing.M) {
	if url := os.Getenv(childEnv); url != "" {
		os.Exit(runChild(url))
	}
	os.Exit(m.Run())
}

// runChild indexes one height per transaction until the head, slowly
// enough that the parent's kill lands mid-run.
func runChild(url string) int {
	c := buildChain(&testing.T{}, crashBlocks)
	db, err := indexer.Open(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := db.Migrate(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ix := indexer.New(indexer.Config{Batch: 1, Workers: 2}, db, c.Source, nil, quiet())
	if _, err := ix.Sync(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestKill9 kills an indexer process with SIGKILL twice mid-backfill,
// restarts it, and checks that every height is there exactly once.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process crash test; runs without -short")
	}
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			url := be.url(t)
			ctx := context.Background()
			spawn := func() *exec.Cmd {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), childEnv+"="+url)
				cmd.Stderr = os.Stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				return cmd
			}
			probe, err := indexer.Open(url)
			if err != nil {
				t.Fatal(err)
			}
			defer probe.Close()
			last := int64(0)
			for round := range 2 {
				cmd := spawn()
				exited := make(chan error, 1)
				go func() { exited <- cmd.Wait() }()
				target := last + 40
				deadline := time.Now().Add(2 * time.Minute)
				for {
					cur, _ := probe.Cursor(ctx)
					if cur >= target {
						break
					}
					select {
					case err := <-exited:
						t.Fatalf("round %d: the child exited before cursor %d: %v", round, target, err)
					default:
					}
					if time.Now().After(deadline) {
						cmd.Process.Kill()
						t.Fatalf("round %d: cursor stuck at %d", round, cur)
					}
					time.Sleep(2 * time.Millisecond)
				}
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				<-exited
				cur, err := probe.Cursor(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if cur >= crashBlocks {
					t.Fatalf("round %d: the child finished before the kill", round)
				}
				t.Logf("round %d: killed at cursor %d", round, cur)
				checkContiguous(t, probe, cur)
				last = cur
			}
			cmd := spawn()
			if err := cmd.Wait(); err != nil {
				t.Fatalf("final run: %v", err)
			}
			checkContiguous(t, probe, crashBlocks)
		})
	}
}
