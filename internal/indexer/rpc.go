package indexer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/depin-network/depin/internal/ledger"
)

// RPCSource reads blocks from a CometBFT node's RPC (GET /status, /block,
// /block_results), the one place the indexer speaks CometBFT's JSON.
type RPCSource struct {
	// URL is the RPC's base, e.g. http://127.0.0.1:26657.
	URL    string
	Client *http.Client
}

// NewRPCSource returns a source over the RPC at url.
func NewRPCSource(url string) *RPCSource {
	return &RPCSource{URL: strings.TrimSuffix(url, "/"), Client: &http.Client{Timeout: 30 * time.Second}}
}

type rpcReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    string `json:"data"`
	} `json:"error"`
}

func (s *RPCSource) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path, nil)
	if err != nil {
		return fmt.Errorf("indexer: rpc %s: %w", path, err)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return fmt.Errorf("indexer: rpc %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("indexer: rpc %s: %w", path, err)
	}
	var r rpcReply
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("indexer: rpc %s: status %d: decode: %w", path, resp.StatusCode, err)
	}
	if r.Error != nil {
		// CometBFT answers a height above its own with an internal error
		// saying so; that is "not yet", not a failure.
		if strings.Contains(r.Error.Data, "must be less than or equal to the current blockchain height") {
			return fmt.Errorf("indexer: rpc %s: %w", path, ErrNotFound)
		}
		return fmt.Errorf("indexer: rpc %s: %s %s", path, r.Error.Message, r.Error.Data)
	}
	if err := json.Unmarshal(r.Result, out); err != nil {
		return fmt.Errorf("indexer: rpc %s: decode result: %w", path, err)
	}
	return nil
}

// Head implements Source.
func (s *RPCSource) Head(ctx context.Context) (int64, error) {
	var st struct {
		SyncInfo struct {
			Height string `json:"latest_block_height"`
		} `json:"sync_info"`
	}
	if err := s.get(ctx, "/status", &st); err != nil {
		return 0, err
	}
	h, err := strconv.ParseInt(st.SyncInfo.Height, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("indexer: rpc status: height %q: %w", st.SyncInfo.Height, err)
	}
	return h, nil
}

type rpcEvent struct {
	Type  string `json:"type"`
	Attrs []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"attributes"`
}

func toEvents(in []rpcEvent) []ledger.Event {
	if len(in) == 0 {
		return nil
	}
	out := make([]ledger.Event, len(in))
	for i, e := range in {
		out[i].Type = e.Type
		out[i].Attrs = make([]ledger.Attr, len(e.Attrs))
		for j, a := range e.Attrs {
			out[i].Attrs[j] = ledger.Attr{Key: a.Key, Value: a.Value}
		}
	}
	return out
}

// Block implements Source.
func (s *RPCSource) Block(ctx context.Context, h int64) (*Block, error) {
	q := "?height=" + strconv.FormatInt(h, 10)
	var blk struct {
		BlockID struct {
			Hash string `json:"hash"`
		} `json:"block_id"`
		Block struct {
			Header struct {
				Height   string    `json:"height"`
				Time     time.Time `json:"time"`
				Proposer string    `json:"proposer_address"`
			} `json:"header"`
			Data struct {
				Txs [][]byte `json:"txs"`
			} `json:"data"`
		} `json:"block"`
	}
	if err := s.get(ctx, "/block"+q, &blk); err != nil {
		return nil, err
	}
	var res struct {
		Txs []struct {
			Code   uint32     `json:"code"`
			Log    string     `json:"log"`
			Events []rpcEvent `json:"events"`
		} `json:"txs_results"`
		Events []rpcEvent `json:"finalize_block_events"`
	}
	if err := s.get(ctx, "/block_results"+q, &res); err != nil {
		return nil, err
	}
	if len(res.Txs) != len(blk.Block.Data.Txs) {
		return nil, fmt.Errorf("indexer: block %d has %d txs but %d results", h, len(blk.Block.Data.Txs), len(res.Txs))
	}
	out := &Block{Height: h, Time: blk.Block.Header.Time.UnixNano(), Hash: blk.BlockID.Hash,
		Proposer: blk.Block.Header.Proposer, Events: toEvents(res.Events), Txs: make([]Tx, len(res.Txs))}
	for i, r := range res.Txs {
		out.Txs[i] = Tx{Raw: blk.Block.Data.Txs[i], Code: r.Code, Log: r.Log, Events: toEvents(r.Events)}
	}
	return out, nil
}

// HTTPOracle reads an oracle's explanations from its HTTP API
// (internal/oracle: GET /v1/rewards/epochs/{n} and .../explanations).
type HTTPOracle struct {
	URL    string
	Client *http.Client
}

// NewHTTPOracle returns an Oracle over the API at url.
func NewHTTPOracle(url string) *HTTPOracle {
	return &HTTPOracle{URL: strings.TrimSuffix(url, "/"), Client: &http.Client{Timeout: 60 * time.Second}}
}

func (o *HTTPOracle) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.URL+path, nil)
	if err != nil {
		return nil, fmt.Errorf("indexer: oracle %s: %w", path, err)
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("indexer: oracle %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<30))
	if err != nil {
		return nil, fmt.Errorf("indexer: oracle %s: %w", path, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("indexer: oracle %s: %w", path, ErrNotFound)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("indexer: oracle %s: status %d: %.200s", path, resp.StatusCode, body)
	}
	return body, nil
}

// Summary implements Oracle.
func (o *HTTPOracle) Summary(ctx context.Context, epoch uint64) ([]byte, error) {
	return o.get(ctx, "/v1/rewards/epochs/"+strconv.FormatUint(epoch, 10))
}

// Explanations implements Oracle.
func (o *HTTPOracle) Explanations(ctx context.Context, epoch uint64) ([]byte, error) {
	return o.get(ctx, "/v1/rewards/epochs/"+strconv.FormatUint(epoch, 10)+"/explanations")
}

// Genesis implements GenesisSource from GET /genesis.
func (s *RPCSource) Genesis(ctx context.Context) (Genesis, error) {
	var g struct {
		Genesis struct {
			ChainID  string `json:"chain_id"`
			AppState struct {
				Denom    string `json:"denom"`
				Decimals uint32 `json:"decimals"`
				Balances []struct {
					Address string `json:"address"`
					Amount  uint64 `json:"amount"`
				} `json:"balances"`
			} `json:"app_state"`
		} `json:"genesis"`
	}
	if err := s.get(ctx, "/genesis", &g); err != nil {
		return Genesis{}, err
	}
	out := Genesis{ChainID: g.Genesis.ChainID, Denom: g.Genesis.AppState.Denom, Decimals: g.Genesis.AppState.Decimals}
	for _, b := range g.Genesis.AppState.Balances {
		out.Supply += b.Amount
	}
	return out, nil
}
