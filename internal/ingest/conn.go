package ingest

import (
	"context"
	"net"
	"sync"
)

// connLimit is the token bucket shared by every request on one connection
// (Config.ConnRate, ConnBurst), beside each device's own.
type connLimit struct {
	mu     sync.Mutex
	bucket bucket
}

type connKey struct{}

// withConn is the server's ConnContext: each connection gets its limit.
func withConn(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, &connLimit{})
}

// connAllowance takes up to n reports from the bucket of ctx's connection
// and returns how many it took: all n without a connection (a direct call)
// or without a limit.
func (s *Service) connAllowance(ctx context.Context, n int) int {
	cl, ok := ctx.Value(connKey{}).(*connLimit)
	if !ok || s.cfg.ConnRate == 0 {
		return n
	}
	cl.mu.Lock()
	defer cl.mu.Unlock()
	return int(cl.bucket.takeN(s.deps.Now().UnixNano(), uint64(n), s.cfg.ConnRate, s.cfg.ConnBurst))
}
