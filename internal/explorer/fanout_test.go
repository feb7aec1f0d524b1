package explorer

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// fan runs every read, never more than stateFan at once, and returns the
// failure that cancelled the others, not a cancellation it caused.
func TestFanBoundsAndFirstFailure(t *testing.T) {
	var mu sync.Mutex
	inFlight, most, ran := 0, 0, 0
	release := make(chan struct{})
	go func() {
		// Let the reads pile up against the bound, then let them go.
		for {
			mu.Lock()
			n := inFlight
			mu.Unlock()
			if n >= stateFan {
				close(release)
				return
			}
		}
	}()
	i, err := fan(context.Background(), 50, func(context.Context, int) error {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		ran++
		mu.Unlock()
		<-release
		mu.Lock()
		inFlight--
		mu.Unlock()
		return nil
	})
	if i != -1 || err != nil || ran != 50 || most != stateFan {
		t.Fatalf("fan: first %d, err %v, ran %d, at most %d in flight (bound %d)", i, err, ran, most, stateFan)
	}

	boom := errors.New("boom")
	i, err = fan(context.Background(), 20, func(ctx context.Context, i int) error {
		if i == 5 {
			return boom
		}
		<-ctx.Done() // the others wait for the failure's cancellation
		return ctx.Err()
	})
	if i != 5 || err != boom {
		t.Fatalf("fan: first failure %d, %v; want 5, boom", i, err)
	}
}
