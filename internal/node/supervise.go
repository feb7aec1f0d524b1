package node

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// Off-chain services run under supervision (issue 8 item 2): consensus is
// the network's, a service is this node's. A service whose Run fails is
// closed, logged and started again after a backoff that doubles from
// RestartMin up to RestartMax (and falls back to RestartMin once a run
// lasted RestartHealthy); consensus goes on meanwhile. A failed service is
// rebuilt with its rebuild function if it has one (a service that holds a
// listener or a log cannot run twice), else run again as it is. A service
// whose Run returns nil before the node stops has finished and is not
// restarted.

// Supervision are the restart delays of failing services.
type Supervision struct {
	RestartMin     time.Duration
	RestartMax     time.Duration
	RestartHealthy time.Duration
}

// DefaultSupervision restarts after 1 s, 2 s, 4 s ... up to a minute.
func DefaultSupervision() Supervision {
	return Supervision{RestartMin: time.Second, RestartMax: time.Minute, RestartHealthy: time.Minute}
}

// supervised is a service and how to build it again.
type supervised struct {
	name    string
	svc     Service
	rebuild func() (Service, error)
}

// supervise runs one service until ctx ends, restarting it as the package
// comment says. It returns when ctx ends or the service finished.
func supervise(ctx context.Context, s supervised, sv Supervision, log *slog.Logger, restarted func()) {
	log = log.With("service", s.name)
	delay := sv.RestartMin
	svc := s.svc
	for {
		if svc != nil {
			start := time.Now()
			err := runService(ctx, svc)
			closeService(svc, log)
			switch {
			case ctx.Err() != nil:
				return
			case err == nil:
				log.Info("node: service finished")
				return
			}
			if time.Since(start) >= sv.RestartHealthy {
				delay = sv.RestartMin
			}
			log.Error("node: service failed; consensus goes on, restarting it", "err", err, "after", delay)
		}
		if !sleepCtx(ctx, delay) {
			return
		}
		delay = min(delay*2, sv.RestartMax)
		if restarted != nil {
			restarted()
		}
		if s.rebuild != nil {
			var err error
			if svc, err = s.rebuild(); err != nil {
				log.Error("node: rebuild service", "err", err, "retry_after", delay)
				svc = nil
			}
		}
	}
}

// runService runs svc, turning a panic into an error: a bug in an
// off-chain service must not take consensus down either.
func runService(ctx context.Context, svc Service) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("node: service panicked: %v", r)
		}
	}()
	return svc.Run(ctx)
}

func closeService(svc Service, log *slog.Logger) {
	c, ok := svc.(io.Closer)
	if !ok {
		return
	}
	if err := c.Close(); err != nil {
		log.Warn("node: close service", "err", err)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
