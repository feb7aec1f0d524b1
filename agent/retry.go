package agent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"connectrpc.com/connect"
)

// retryable reports whether a failed call may succeed if sent again:
// transport failures and server trouble, which connect reports as
// unavailable (refused connections, HTTP 429, 502-504), unknown (other HTTP
// statuses, 500), internal, deadline exceeded, aborted or resource
// exhausted; and canceled, which connect also reports for a connection the
// server reset (ECONNRESET, connect error.go isClientDisconnected) — retry
// checks its own context first, so a cancel by the caller never gets here.
// A refusal of the request itself (invalid argument, permission denied,
// unimplemented ...) is not.
func retryable(err error) bool {
	switch connect.CodeOf(err) {
	case connect.CodeUnavailable, connect.CodeUnknown, connect.CodeInternal, connect.CodeCanceled,
		connect.CodeDeadlineExceeded, connect.CodeAborted, connect.CodeResourceExhausted:
		return true
	}
	return false
}

// backoff returns the wait before retry number n (1 for the first retry):
// "equal jitter" over an exponential base, base = min(max, initial·2^(n-1)),
// wait = base/2 + uniform[0, base/2] (Brooker, "Exponential Backoff And
// Jitter", AWS Architecture Blog, 2015). Half the base keeps retries spread
// out; the random half keeps many devices that failed together from
// retrying together.
func (c *Client) backoff(n int) time.Duration {
	base := c.cfg.InitialBackoff
	for i := 1; i < n && base < c.cfg.MaxBackoff; i++ {
		base *= 2
	}
	base = min(base, c.cfg.MaxBackoff)
	half := int64(base / 2)
	if half <= 0 {
		return base
	}
	return time.Duration(half + c.jitter(half+1))
}

// retry calls f, each attempt bounded by Config.Timeout, until it succeeds,
// fails for good, Config.MaxAttempts attempts were made (0: no limit) or ctx
// ends. It returns the number of attempts.
func (c *Client) retry(ctx context.Context, op string, f func(context.Context) error) (int, error) {
	for n := 1; ; n++ {
		actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
		err := f(actx)
		cancel()
		if err == nil {
			return n, nil
		}
		if ctx.Err() != nil {
			return n, fmt.Errorf("agent: %s: %w", op, errors.Join(ctx.Err(), err))
		}
		if !retryable(err) {
			return n, fmt.Errorf("agent: %s: %w", op, err)
		}
		if c.cfg.MaxAttempts > 0 && n >= c.cfg.MaxAttempts {
			return n, fmt.Errorf("agent: %s: gave up after %d attempts: %w", op, n, err)
		}
		wait := c.backoff(n)
		c.retries.Add(1)
		c.logger.Warn("agent: retrying", "op", op, "attempt", n, "wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return n, fmt.Errorf("agent: %s: %w", op, errors.Join(ctx.Err(), err))
		case <-t.C:
		}
	}
}
