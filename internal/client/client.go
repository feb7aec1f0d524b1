package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/depin-network/depin/internal/query"
)

// DefaultNode is the RPC address of a local node.
const DefaultNode = "http://127.0.0.1:26657"

// maxResponse bounds an RPC response body.
const maxResponse = 16 << 20

// Client is a connection to one node's RPC. It is safe for concurrent use.
type Client struct {
	base string
	http *http.Client
	// PollInterval is how often WaitTx asks whether a tx is indexed.
	PollInterval time.Duration
}

// New returns a client of the node at addr: an http(s) URL, or a CometBFT
// listen address such as "tcp://127.0.0.1:26657".
func New(addr string) (*Client, error) {
	if addr == "" {
		addr = DefaultNode
	}
	if rest, ok := strings.CutPrefix(addr, "tcp://"); ok {
		addr = "http://" + rest
	}
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	u, err := url.Parse(addr)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: node address %q must be an http(s) URL or tcp://host:port", addr)
	}
	return &Client{
		base:         strings.TrimRight(u.String(), "/"),
		http:         &http.Client{Timeout: 30 * time.Second},
		PollInterval: 200 * time.Millisecond,
	}, nil
}

// URL returns the node's base URL.
func (c *Client) URL() string { return c.base }

// rpcError is a JSON-RPC error.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data"`
}

func (e *rpcError) Error() string {
	if e.Data != "" {
		return fmt.Sprintf("rpc error %d: %s: %s", e.Code, e.Message, e.Data)
	}
	return fmt.Sprintf("rpc error %d: %s", e.Code, e.Message)
}

type rpcResponse struct {
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
}

// do sends a request and decodes the JSON-RPC result into out.
func (c *Client) do(ctx context.Context, req *http.Request, out any) error {
	resp, err := c.http.Do(req.WithContext(ctx))
	if errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("no node answers at %s (start one with depin start or depin devnet, or point --node or depin config set node at one): %w", c.base, err)
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	var r rpcResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("http %d: not a JSON-RPC response: %.200q", resp.StatusCode, body)
	}
	if r.Error != nil {
		return r.Error
	}
	if len(r.Result) == 0 {
		return fmt.Errorf("http %d: response has no result", resp.StatusCode)
	}
	if err := json.Unmarshal(r.Result, out); err != nil {
		return fmt.Errorf("decode result: %w", err)
	}
	return nil
}

func (c *Client) get(ctx context.Context, path string, args url.Values, out any) error {
	u := c.base + path
	if len(args) > 0 {
		u += "?" + args.Encode()
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	return c.do(ctx, req, out)
}

func (c *Client) call(ctx context.Context, method string, params any, out any) error {
	bz, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, c.base+"/", bytes.NewReader(bz))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.do(ctx, req, out)
}

// Status is what the client needs of a node's status.
type Status struct {
	ChainID string
	Height  int64
	AppHash string
	// BlockTime is the latest block's time (zero if the node gave none).
	BlockTime time.Time
}

// Status asks the node for its chain id and latest height.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var r struct {
		NodeInfo struct {
			Network string `json:"network"`
		} `json:"node_info"`
		SyncInfo struct {
			LatestBlockHeight string `json:"latest_block_height"`
			LatestAppHash     string `json:"latest_app_hash"`
			LatestBlockTime   string `json:"latest_block_time"`
		} `json:"sync_info"`
	}
	if err := c.get(ctx, "/status", nil, &r); err != nil {
		return Status{}, fmt.Errorf("client: status: %w", err)
	}
	h, err := strconv.ParseInt(r.SyncInfo.LatestBlockHeight, 10, 64)
	if err != nil {
		return Status{}, fmt.Errorf("client: status: latest height %q: %w", r.SyncInfo.LatestBlockHeight, err)
	}
	if r.NodeInfo.Network == "" {
		return Status{}, fmt.Errorf("client: status: node reports no chain id")
	}
	bt, _ := time.Parse(time.RFC3339Nano, r.SyncInfo.LatestBlockTime)
	return Status{ChainID: r.NodeInfo.Network, Height: h, AppHash: r.SyncInfo.LatestAppHash, BlockTime: bt}, nil
}

// QueryError is a query the node answered with a non-zero code.
type QueryError struct {
	Path string
	Code query.Code
	Msg  string
}

// QueryCode is the node's code for the query (not found, bad request...).
func (e *QueryError) QueryCode() query.Code { return e.Code }

func (e *QueryError) Error() string {
	return fmt.Sprintf("query %s: %s (%d): %s", e.Path, e.Code, uint32(e.Code), e.Msg)
}

// ABCIQuery runs a query path (see internal/query) and returns its JSON
// body. A non-zero query code is a *QueryError.
func (c *Client) ABCIQuery(ctx context.Context, path string) ([]byte, error) {
	quoted, err := json.Marshal(path)
	if err != nil {
		return nil, err
	}
	var r struct {
		Response struct {
			Code  uint32 `json:"code"`
			Log   string `json:"log"`
			Value string `json:"value"`
		} `json:"response"`
	}
	if err := c.get(ctx, "/abci_query", url.Values{"path": {string(quoted)}}, &r); err != nil {
		return nil, fmt.Errorf("client: query %s: %w", path, err)
	}
	if r.Response.Code != 0 {
		return nil, &QueryError{Path: path, Code: query.Code(r.Response.Code), Msg: r.Response.Log}
	}
	body, err := base64.StdEncoding.DecodeString(r.Response.Value)
	if err != nil {
		return nil, fmt.Errorf("client: query %s: value is not base64: %w", path, err)
	}
	return body, nil
}

// Query runs a query and decodes its JSON body into out (a query type).
func (c *Client) Query(ctx context.Context, path string, out any) error {
	body, err := c.ABCIQuery(ctx, path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("client: query %s: decode %T: %w", path, out, err)
	}
	return nil
}
