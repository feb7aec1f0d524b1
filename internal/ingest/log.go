package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Log is the durable report log: an append-only sequence of opaque
// messages numbered from 1, which ingest appends accepted reports to and the
// batcher reads in order. natslog.go adapts a NATS JetStream stream (the
// only file that imports NATS); MemLog keeps messages in memory for tests
// and tools.
type Log interface {
	// Append starts appending one message. A report may be acknowledged
	// only after the returned Appended has succeeded and Sync returned.
	Append(data []byte) (Appended, error)
	// Sync makes every message whose append succeeded before the call
	// durable (one fsync for concurrent batches); a no-op where appends are
	// durable on their own.
	Sync() error
	// MaxMessageBytes is the largest message Append takes.
	MaxMessageBytes() int
	// Bounds returns the sequences of the first and last message (first is
	// 0 if the log is empty; last is the last sequence ever assigned).
	Bounds(ctx context.Context) (first, last uint64, err error)
	// Read returns a cursor over the log from sequence start on.
	Read(ctx context.Context, start uint64) (Cursor, error)
	// Close releases the log.
	Close() error
}

// Appended is an append in flight.
type Appended interface {
	// Wait returns the message's sequence once the log stored it, or why
	// it could not, or ctx's error.
	Wait(ctx context.Context) (uint64, error)
}

// Cursor reads a log in order.
type Cursor interface {
	// Next returns the next message, waiting up to wait for one; it
	// returns an error wrapping ErrNoMessage if none came.
	Next(wait time.Duration) (Message, error)
	// Close releases the cursor.
	Close()
}

// Message is one log message as a Cursor delivers it.
type Message struct {
	Seq  uint64
	Data []byte
	// Pending is how many messages followed it in the log when it was
	// delivered: 0 means the reader had caught up.
	Pending uint64
}

// ErrNoMessage is what Cursor.Next wraps when no message came in time.
var ErrNoMessage = errors.New("ingest: log: no message")

// scanStall bounds the wait for the next message of a log scan: a stalled
// read fails rather than hangs, a long log does not.
const scanStall = 30 * time.Second

// scanLog calls fn with every message of l from sequence from to to, in
// order.
func scanLog(ctx context.Context, l Log, from, to uint64, fn func(Message) error) error {
	if from > to {
		return nil
	}
	cur, err := l.Read(ctx, from)
	if err != nil {
		return err
	}
	defer cur.Close()
	for ctx.Err() == nil {
		msg, err := cur.Next(scanStall)
		if err != nil {
			return fmt.Errorf("ingest: scan log from %d to %d: %w", from, to, err)
		}
		if err := fn(msg); err != nil {
			return err
		}
		if msg.Seq >= to {
			return nil
		}
	}
	return ctx.Err()
}
