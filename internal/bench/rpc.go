package bench

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rpcClient speaks CometBFT's JSON-RPC over plain HTTP: the load generator
// is the same for every application, and it imports nothing of CometBFT.
type rpcClient struct {
	url  string
	http *http.Client
}

func newRPCClient(url string, conns int) *rpcClient {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute}
	return &rpcClient{url: url, http: &http.Client{Transport: tr, Timeout: time.Minute}}
}

// rpcError is an error answered by the node.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data"`
}

func (e *rpcError) Error() string {
	return fmt.Sprintf("rpc error %d: %s %s", e.Code, e.Message, e.Data)
}

func (c *rpcClient) call(ctx context.Context, method string, params any, out any) error {
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var env struct {
		Result json.RawMessage `json:"result"`
		Error  *rpcError       `json:"error"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("%s: decode answer (http %d): %w", method, resp.StatusCode, err)
	}
	if env.Error != nil {
		return env.Error
	}
	return json.Unmarshal(env.Result, out)
}

// broadcast sends tx with broadcast_tx_sync and returns CheckTx's code.
func (c *rpcClient) broadcast(ctx context.Context, tx []byte) (uint32, string, error) {
	var r struct {
		Code uint32 `json:"code"`
		Log  string `json:"log"`
	}
	err := c.call(ctx, "broadcast_tx_sync", map[string]string{"tx": base64.StdEncoding.EncodeToString(tx)}, &r)
	return r.Code, r.Log, err
}

// height returns the latest committed height.
func (c *rpcClient) height(ctx context.Context) (int64, error) {
	var r struct {
		SyncInfo struct {
			Height string `json:"latest_block_height"`
		} `json:"sync_info"`
	}
	if err := c.call(ctx, "status", map[string]any{}, &r); err != nil {
		return 0, err
	}
	return strconv.ParseInt(r.SyncInfo.Height, 10, 64)
}

// numTxs returns the transaction count of each block in [lo, hi] (at most
// 20 blocks, CometBFT's page of block metas).
func (c *rpcClient) numTxs(ctx context.Context, lo, hi int64) (int, error) {
	var r struct {
		Metas []struct {
			NumTxs string `json:"num_txs"`
		} `json:"block_metas"`
	}
	err := c.call(ctx, "blockchain", map[string]string{"minHeight": strconv.FormatInt(lo, 10), "maxHeight": strconv.FormatInt(hi, 10)}, &r)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range r.Metas {
		k, err := strconv.Atoi(m.NumTxs)
		if err != nil {
			return 0, fmt.Errorf("blockchain: num_txs %q: %w", m.NumTxs, err)
		}
		n += k
	}
	return n, nil
}

// txCodes returns the result codes of the transactions of block h.
func (c *rpcClient) txCodes(ctx context.Context, h int64) ([]uint32, error) {
	var r struct {
		Txs []struct {
			Code uint32 `json:"code"`
		} `json:"txs_results"`
	}
	if err := c.call(ctx, "block_results", map[string]string{"height": strconv.FormatInt(h, 10)}, &r); err != nil {
		return nil, err
	}
	codes := make([]uint32, len(r.Txs))
	for i, t := range r.Txs {
		codes[i] = t.Code
	}
	return codes, nil
}

// waitHeight polls until the node has committed height h.
func (c *rpcClient) waitHeight(ctx context.Context, h int64, timeout time.Duration) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		got, err := c.height(ctx)
		if err == nil && got >= h {
			return got, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("wait for height %d: %w (last error: %v)", h, ctx.Err(), err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// submit broadcasts every transaction of l with workers goroutines; worker
// w owns the senders s with s%workers == w, sends their transactions in
// load order and talks to clients[w%len(clients)], so no sender's
// sequences race. A full mempool is retried; any other CheckTx rejection
// fails the run.
func submit(ctx context.Context, clients []*rpcClient, l *Load, workers int) error {
	workers = max(1, min(workers, l.Senders))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := clients[w%len(clients)]
			for j := range l.Txs {
				if l.Sender(j)%workers != w {
					continue
				}
				if err := broadcastRetry(ctx, c, l.Txs[j]); err != nil {
					once.Do(func() { firstErr = fmt.Errorf("tx %d: %w", j, err); cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

func broadcastRetry(ctx context.Context, c *rpcClient, tx []byte) error {
	for {
		code, log, err := c.broadcast(ctx, tx)
		var re *rpcError
		if err != nil && errors.As(err, &re) && strings.Contains(re.Data+re.Message, "mempool is full") {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
			continue
		}
		if err != nil {
			return err
		}
		if code != 0 {
			return fmt.Errorf("rejected by CheckTx with code %d: %s", code, log)
		}
		return nil
	}
}

// waitCommitted polls c until the blocks after start hold n transactions
// and returns the height that completed them and when it was seen.
func waitCommitted(ctx context.Context, c *rpcClient, start int64, n int, timeout time.Duration) (int64, time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	seen, total := start, 0
	for {
		h, err := c.height(ctx)
		if err != nil && ctx.Err() != nil {
			return 0, time.Time{}, fmt.Errorf("wait for %d txs: %w", n, ctx.Err())
		}
		for err == nil && seen < h {
			hi := min(h, seen+20)
			var k int
			if k, err = c.numTxs(ctx, seen+1, hi); err == nil {
				total += k
				seen = hi
			}
			if total >= n {
				return seen, time.Now(), nil
			}
		}
		select {
		case <-ctx.Done():
			return 0, time.Time{}, fmt.Errorf("wait for %d txs: %d committed up to height %d: %w", n, total, seen, ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// countOK returns how many transactions in blocks (start, end] succeeded and
// how many there were. CometBFT stores a block before its results, so a
// missing result is asked for again for a few seconds.
func countOK(ctx context.Context, c *rpcClient, start, end int64) (ok, total int, err error) {
	for h := start + 1; h <= end; h++ {
		var codes []uint32
		for try := 0; ; try++ {
			if codes, err = c.txCodes(ctx, h); err == nil || try == 100 {
				break
			}
			select {
			case <-ctx.Done():
				return 0, 0, ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
		if err != nil {
			return 0, 0, fmt.Errorf("block results %d: %w", h, err)
		}
		for _, code := range codes {
			total++
			if code == 0 {
				ok++
			}
		}
	}
	return ok, total, nil
}
