package compute

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	kcompute "github.com/depin-network/depin/internal/kind/compute"
	"github.com/depin-network/depin/internal/ledger"
)

// Consumer submits jobs and collects their results.
type Consumer struct {
	Chain Chain
	Addr  ledger.Address
	// HTTP fetches results from providers (http.DefaultClient if nil).
	HTTP *http.Client
}

// Submit sends a job and returns its id (the owner's newest job).
func (c *Consumer) Submit(ctx context.Context, j Job) (uint64, error) {
	m, err := SubmitJobMsg(j)
	if err != nil {
		return 0, err
	}
	if err := c.Chain.Send(ctx, m); err != nil {
		return 0, fmt.Errorf("agent: compute: submit: %w", err)
	}
	var out struct {
		Jobs []JobInfo `json:"jobs"`
	}
	if err := c.Chain.Query(ctx, "compute/jobs?owner="+c.Addr.String(), &out); err != nil {
		return 0, fmt.Errorf("agent: compute: submit: list jobs: %w", err)
	}
	var id uint64
	for _, j := range out.Jobs {
		id = max(id, jobID(j.ID))
	}
	if id == 0 {
		return 0, fmt.Errorf("agent: compute: submit: the job is not on chain")
	}
	return id, nil
}

// Wait polls a job every interval until it is done or failed.
func (c *Consumer) Wait(ctx context.Context, id uint64, interval time.Duration) (JobInfo, error) {
	for {
		j, err := GetJob(ctx, c.Chain, id)
		if err != nil {
			return j, err
		}
		if j.State != "running" {
			return j, nil
		}
		select {
		case <-ctx.Done():
			return j, fmt.Errorf("agent: compute: wait for job %d: %w", id, ctx.Err())
		case <-time.After(interval):
		}
	}
}

type providerInfo struct {
	HostURI string `json:"host_uri"`
}

// Get downloads every task result of a finished job from a provider whose
// result the chain accepted, checks each against the accepted hash and
// assembles the job's output (PNG bytes for a render job).
func (c *Consumer) Get(ctx context.Context, id uint64) ([]byte, error) {
	j, err := GetJob(ctx, c.Chain, id)
	if err != nil {
		return nil, err
	}
	if j.State != "done" {
		return nil, fmt.Errorf("agent: compute: job %d is %s, not done", id, j.State)
	}
	in, err := GetInput(ctx, c.Chain, id)
	if err != nil {
		return nil, err
	}
	pj, err := kcompute.Prepare(kcompute.Job{Type: j.Type, Input: in, Tasks: int(j.Tasks), Rounds: int(j.Rounds)})
	if err != nil {
		return nil, fmt.Errorf("agent: compute: job %d: %w", id, err)
	}
	tasks, err := GetTasks(ctx, c.Chain, id)
	if err != nil {
		return nil, err
	}
	results := make([][]byte, len(tasks))
	hosts := map[string]string{}
	for _, t := range tasks {
		want := unhex(t.ResultHash)
		var lastErr error
		for _, s := range t.Slots {
			if s.State != "accepted" {
				continue
			}
			host, ok := hosts[s.Provider]
			if !ok {
				var p providerInfo
				if err := c.Chain.Query(ctx, "market/providers/"+s.Provider, &p); err != nil {
					lastErr = err
					continue
				}
				host = strings.TrimRight(p.HostURI, "/")
				hosts[s.Provider] = host
			}
			r, err := c.fetch(ctx, host+ResultPath(id, t.Index))
			if err != nil {
				lastErr = err
				continue
			}
			if h := kcompute.ResultHash(r); !bytes.Equal(h[:], want) {
				lastErr = fmt.Errorf("provider %s served a result of hash %s, the chain accepted %s", s.Provider, hex.EncodeToString(h[:]), t.ResultHash)
				continue
			}
			results[t.Index] = r
			break
		}
		if results[t.Index] == nil {
			return nil, fmt.Errorf("agent: compute: job %d task %d: no provider served the accepted result: %v", id, t.Index, lastErr)
		}
	}
	out, err := pj.Assemble(results)
	if err != nil {
		return nil, fmt.Errorf("agent: compute: job %d: %w", id, err)
	}
	return out, nil
}

func (c *Consumer) fetch(ctx context.Context, url string) ([]byte, error) {
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 64<<20))
}
