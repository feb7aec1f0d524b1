package clienttest

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/depin-network/depin/internal/query"
)

// rpcResponse is a JSON-RPC 2.0 response as CometBFT writes it.
type rpcResponse struct {
	JSONRPC string    `json:"jsonrpc"`
	ID      any       `json:"id"`
	Result  any       `json:"result,omitempty"`
	Error   *rpcError `json:"error,omitempty"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data,omitempty"`
}

// ServeHTTP answers GET /status, GET /abci_query?path="...", GET
// /tx?hash=0x... and JSON-RPC POST / with method broadcast_tx_sync, in CometBFT v0.38's JSON shapes
// (64-bit integers as strings, bytes as base64 or upper-case hex).
func (c *Chain) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/status":
		writeRPC(w, -1, c.status(), nil)
	case r.Method == http.MethodGet && r.URL.Path == "/abci_query":
		res, rerr := c.abciQuery(r.URL.Query().Get("path"))
		writeRPC(w, -1, res, rerr)
		if err := c.flush(); err != nil {
			panic(err) // a test chain that cannot commit is a broken test
		}
	case r.Method == http.MethodGet && r.URL.Path == "/tx":
		// A node commits the mempool in its next block; this chain does
		// when asked.
		if err := c.flush(); err != nil {
			panic(err) // a test chain that cannot commit is a broken test
		}
		res, rerr := c.tx(r.URL.Query().Get("hash"))
		writeRPC(w, -1, res, rerr)
	case r.Method == http.MethodPost && r.URL.Path == "/":
		c.serveJSONRPC(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (c *Chain) status() any {
	h, hash := c.app.LastCommit()
	return map[string]any{
		"node_info": map[string]any{"network": c.chainID, "moniker": "clienttest"},
		"sync_info": map[string]any{
			"latest_block_height": strconv.FormatInt(h, 10),
			"latest_app_hash":     strings.ToUpper(hex.EncodeToString(hash)),
			"catching_up":         false,
		},
	}
}

func (c *Chain) abciQuery(arg string) (any, *rpcError) {
	var path string
	if err := json.Unmarshal([]byte(arg), &path); err != nil {
		return nil, &rpcError{Code: -32602, Message: "Invalid params", Data: "path must be a quoted string: " + err.Error()}
	}
	c.mu.Lock()
	h, _ := c.app.LastCommit()
	body, code, log := query.Handle(c.app.Committed(), c.app, path)
	c.mu.Unlock()
	resp := map[string]any{"log": log, "height": strconv.FormatInt(h, 10), "index": "0"}
	if code != 0 {
		resp["code"] = code
	}
	if body != nil {
		resp["value"] = base64.StdEncoding.EncodeToString(body)
	}
	return map[string]any{"response": resp}, nil
}

// tx answers /tx as CometBFT's kv indexer does: the result with its
// events, or an internal error "tx (HASH) not found".
func (c *Chain) tx(arg string) (any, *rpcError) {
	h, err := hex.DecodeString(strings.TrimPrefix(arg, "0x"))
	if err != nil {
		return nil, &rpcError{Code: -32602, Message: "Invalid params", Data: "error converting http params to arguments: " + err.Error()}
	}
	t, ok, _ := c.Tx(context.Background(), h)
	if !ok {
		return nil, &rpcError{Code: -32603, Message: "Internal error", Data: fmt.Sprintf("tx (%X) not found", h)}
	}
	events := make([]any, len(t.Events))
	for i, e := range t.Events {
		attrs := make([]any, len(e.Attrs))
		for j, a := range e.Attrs {
			attrs[j] = map[string]any{"key": a.Key, "value": a.Value, "index": true}
		}
		events[i] = map[string]any{"type": e.Type, "attributes": attrs}
	}
	return map[string]any{
		"hash": t.Hash, "height": strconv.FormatInt(t.Height, 10), "index": t.Index,
		"tx_result": map[string]any{"code": t.Code, "data": nil, "log": t.Log, "info": "",
			"gas_wanted": "0", "gas_used": "0", "events": events, "codespace": ""},
	}, nil
}

func (c *Chain) serveJSONRPC(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID     any             `json:"id"`
		Method string          `json:"method"`
		Params json.RawMessage `json:"params"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 2<<20))
	if err := json.Unmarshal(body, &req); err != nil {
		writeRPC(w, nil, nil, &rpcError{Code: -32700, Message: "Parse error", Data: err.Error()})
		return
	}
	if req.Method != "broadcast_tx_sync" {
		writeRPC(w, req.ID, nil, &rpcError{Code: -32601, Message: "Method not found", Data: req.Method})
		return
	}
	var p struct {
		Tx []byte `json:"tx"`
	}
	if err := json.Unmarshal(req.Params, &p); err != nil {
		writeRPC(w, req.ID, nil, &rpcError{Code: -32602, Message: "Invalid params", Data: err.Error()})
		return
	}
	res := c.checkTx(p.Tx)
	writeRPC(w, req.ID, map[string]any{
		"code": uint32(res.Code), "data": "", "log": res.Log, "codespace": "",
		"hash": strings.ToUpper(hex.EncodeToString(res.Hash[:])),
	}, nil)
}

func writeRPC(w http.ResponseWriter, id any, result any, rerr *rpcError) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(rpcResponse{JSONRPC: "2.0", ID: id, Result: result, Error: rerr}); err != nil {
		panic(fmt.Sprintf("clienttest: write response: %v", err))
	}
}
