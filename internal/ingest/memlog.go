package ingest

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"
)

// MemLog is a Log in memory, for tests and tools. Its messages survive
// Close, so a second Service opened on the same MemLog recovers from it as
// from a durable log; they do not survive the process.
type MemLog struct {
	mu       sync.Mutex
	msgs     [][]byte // msgs[i] has sequence first+i
	first    uint64
	maxBytes int
	grew     chan struct{} // closed and replaced on every append
	fail     error
}

// NewMemLog returns an empty log taking messages of up to maxBytes
// (1 MiB if maxBytes ≤ 0).
func NewMemLog(maxBytes int) *MemLog {
	if maxBytes <= 0 {
		maxBytes = 1 << 20
	}
	return &MemLog{first: 1, maxBytes: maxBytes, grew: make(chan struct{})}
}

// SetFail makes every later Append fail with err (nil: succeed again), as a
// log that lost its storage would.
func (l *MemLog) SetFail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fail = err
}

// memAppended is an append that completed when it was made.
type memAppended struct {
	seq uint64
	err error
}

func (a memAppended) Wait(ctx context.Context) (uint64, error) {
	if a.err != nil {
		return 0, a.err
	}
	return a.seq, ctx.Err()
}

// Append implements Log.
func (l *MemLog) Append(data []byte) (Appended, error) {
	if len(data) > l.maxBytes {
		return nil, fmt.Errorf("ingest: mem log: message of %d bytes, limit %d", len(data), l.maxBytes)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return memAppended{err: l.fail}, nil
	}
	l.msgs = append(l.msgs, bytes.Clone(data))
	close(l.grew)
	l.grew = make(chan struct{})
	return memAppended{seq: l.first + uint64(len(l.msgs)) - 1}, nil
}

// Sync implements Log: appends are complete when made.
func (l *MemLog) Sync() error { return nil }

// MaxMessageBytes implements Log.
func (l *MemLog) MaxMessageBytes() int { return l.maxBytes }

// Bounds implements Log.
func (l *MemLog) Bounds(context.Context) (uint64, uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.msgs) == 0 {
		return 0, l.first - 1, nil
	}
	return l.first, l.first + uint64(len(l.msgs)) - 1, nil
}

// Read implements Log.
func (l *MemLog) Read(ctx context.Context, start uint64) (Cursor, error) {
	return &memCursor{l: l, ctx: ctx, next: max(start, 1)}, nil
}

// Close implements Log; the messages stay for the next reader.
func (l *MemLog) Close() error { return nil }

type memCursor struct {
	l    *MemLog
	ctx  context.Context
	next uint64
}

func (c *memCursor) Next(wait time.Duration) (Message, error) {
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		c.l.mu.Lock()
		end := c.l.first + uint64(len(c.l.msgs))
		if c.next < c.l.first {
			c.next = c.l.first
		}
		if c.next < end {
			m := Message{Seq: c.next, Data: c.l.msgs[c.next-c.l.first], Pending: end - c.next - 1}
			c.next++
			c.l.mu.Unlock()
			return m, nil
		}
		grew := c.l.grew
		c.l.mu.Unlock()
		select {
		case <-grew:
		case <-t.C:
			return Message{}, ErrNoMessage
		case <-c.ctx.Done():
			return Message{}, c.ctx.Err()
		}
	}
}

func (c *memCursor) Close() {}
