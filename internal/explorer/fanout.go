package explorer

import (
	"context"
	"errors"
	"sync"
)

// stateFan bounds the node queries one request has in flight at once: a
// page that needs tens of reads waits for about len/stateFan round trips
// instead of one per read, and a page cannot flood the node's RPC.
const stateFan = 8

// stateRead is one node query and where its answer goes.
type stateRead struct {
	path string
	out  any
}

// fan runs do(ctx, i) for i in [0, n), at most stateFan at a time. It
// returns the index of the first read to fail, or -1, and that read's
// error; the first failure cancels the reads not yet answered, so their
// errors (the cancellation) are not the cause and are not returned.
func fan(ctx context.Context, n int, do func(ctx context.Context, i int) error) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	first, firstErr := -1, error(nil)
	sem := make(chan struct{}, stateFan)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := do(ctx, i); err != nil {
				mu.Lock()
				if first < 0 {
					first, firstErr = i, err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first, firstErr
}

// stateQueries reads the queries at most stateFan at a time and answers
// as stateQuery does: "" when the node answered them all, else the
// message of the first read it did not answer.
func (s *Server) stateQueries(ctx context.Context, reads ...stateRead) string {
	msgs := make([]string, len(reads))
	i, _ := fan(ctx, len(reads), func(ctx context.Context, i int) error {
		if msgs[i] = s.stateQuery(ctx, reads[i].path, reads[i].out); msgs[i] != "" {
			return errors.New(msgs[i])
		}
		return nil
	})
	if i < 0 {
		return ""
	}
	return msgs[i]
}

// stateGets reads the queries of a detail page as stateGet does, at most
// stateFan at a time; the error is the first failed read's.
func (s *Server) stateGets(ctx context.Context, reads ...stateRead) error {
	_, err := fan(ctx, len(reads), func(ctx context.Context, i int) error {
		return s.stateGet(ctx, reads[i].path, reads[i].out)
	})
	return err
}

// logQuery logs a node query that failed, unless the request's reads were
// cancelled (another read failed first, or the client went away): one
// line per cause, not one per read a failure cancelled.
func (s *Server) logQuery(ctx context.Context, path string, err error) {
	if ctx.Err() == nil {
		s.log.Warn("explorer: node query", "path", path, "err", err)
	}
}
