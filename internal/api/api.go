package api

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/depin-network/depin/internal/apidoc"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/query"
)

// StateSource is what the API reads: a node's app satisfies it.
type StateSource interface {
	// Committed returns the last committed state.
	Committed() ledger.Store
	// Params returns the parameter registry.
	Params() *params.Registry
	// Queries returns the modules' query routes.
	Queries() *ledger.QueryRouter
	// LastCommit returns the last committed height and app hash.
	LastCommit() (height int64, appHash []byte)
	// ChainID returns the chain id.
	ChainID() string
}

// TxSource finds committed transactions by hash: a node's CometBFT kv
// indexer (the ledger keeps no transaction index of its own). found is
// false when no transaction with that hash is indexed. A StateSource that
// is also a TxSource gets /v1/txs/{hash}.
type TxSource interface {
	Tx(ctx context.Context, hash []byte) (tx query.Tx, found bool, err error)
}

// Config configures the API server.
type Config struct {
	// Listen is the TCP address to serve on; loopback by default, so that
	// exposing the API is a decision.
	Listen string `toml:"listen"`
	// CORSAllowedOrigins lets browser pages from these origins ("*": any)
	// read the API; empty (the default) sends no CORS headers.
	CORSAllowedOrigins []string `toml:"cors_allowed_origins"`
}

// DefaultConfig returns the default configuration.
func DefaultConfig() Config { return Config{Listen: "127.0.0.1:1317"} }

// Server is the JSON API server.
type Server struct {
	cfg    Config
	src    StateSource
	log    *slog.Logger
	srv    *http.Server
	mux    *http.ServeMux
	cors   http.Handler // serve behind CORS, if configured
	mu     sync.Mutex
	addr   net.Addr
	closed bool
}

// New builds a server; Run starts it.
func New(cfg Config, src StateSource, logger *slog.Logger) *Server {
	if cfg.Listen == "" {
		cfg.Listen = DefaultConfig().Listen
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, src: src, log: logger.With("service", "api"), mux: http.NewServeMux()}
	s.mux.HandleFunc("/v1/status", s.status)
	s.mux.Handle("/openapi.json", apidoc.Handler(apidoc.Info{Title: "depin JSON API", Version: "v1",
		Description: "Read-only queries over the node's committed state. 64-bit numbers are strings."}, Routes(src)))
	if ts, ok := src.(TxSource); ok {
		s.mux.HandleFunc("/v1/txs/{hash}", func(w http.ResponseWriter, r *http.Request) { s.tx(w, r, ts) })
	}
	s.mux.HandleFunc("/v1/", s.query)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, query.CodeUnknownPath, fmt.Sprintf("unknown path %q: routes are under /v1/", r.URL.Path))
	})
	s.cors = apidoc.CORS(cfg.CORSAllowedOrigins, http.HandlerFunc(s.serve))
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	return s
}

// Handle serves another read-only route on the API's listener (the node
// mounts /metrics here).
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Routes lists the API's routes: /v1/status and every query of src under
// /v1/.
func Routes(src StateSource) []apidoc.Route {
	out := []apidoc.Route{{Method: http.MethodGet, Path: "/v1/status", Summary: "chain id, height and app hash of the last committed block"}}
	for _, p := range query.Patterns(src) {
		out = append(out, apidoc.Route{Method: http.MethodGet, Path: "/v1/" + strings.Trim(p, "/"), Summary: "query " + p + " (lists page with ?limit= and ?cursor=)"})
	}
	if _, ok := src.(TxSource); ok {
		out = append(out, apidoc.Route{Method: http.MethodGet, Path: "/v1/txs/{hash}", Summary: "a committed transaction's result by hash (CometBFT's kv indexer)"})
	}
	return out
}

// ServeHTTP serves the API (for tests and for mounting in another server).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.cors.ServeHTTP(w, r) }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, query.CodeBadRequest, "the API is read-only: use GET")
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Run listens on the configured address and serves until ctx ends or Close
// is called; then it shuts down gracefully. It returns nil after a clean
// shutdown.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("api: listen on %s: %w", s.cfg.Listen, err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.addr = ln.Addr()
	s.mu.Unlock()
	s.log.Info("serving json api", "addr", ln.Addr().String())
	stop := context.AfterFunc(ctx, func() { s.Close() })
	defer stop()
	if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("api: serve: %w", err)
	}
	return nil
}

// Addr returns the address the server listens on once Run has started
// (useful with port 0), or nil.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Close stops the server, letting requests in flight finish for up to five
// seconds.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("api: close: %w", err)
	}
	return nil
}

// Status is the answer of /v1/status.
type Status struct {
	ChainID string `json:"chain_id"`
	Height  int64  `json:"height,string"`
	AppHash string `json:"app_hash"`
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	h, hash := s.src.LastCommit()
	writeJSON(w, http.StatusOK, Status{ChainID: s.src.ChainID(), Height: h, AppHash: strings.ToUpper(hex.EncodeToString(hash))})
}

// query forwards /v1/<path>?<args> to the query router as /<path>?<args>.
func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.EscapedPath(), "/v1")
	if r.URL.RawQuery != "" {
		p += "?" + r.URL.RawQuery
	}
	body, code, msg := query.Handle(s.src.Committed(), s.src, p)
	if code != uint32(query.CodeOK) {
		c := query.Code(code)
		if c == query.CodeInternal {
			s.log.Error("query failed", "path", p, "err", msg)
		}
		writeError(w, httpStatus(c), c, msg)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(http.StatusOK)
	w.Write(append(body, '\n'))
}

// tx answers /v1/txs/{hash} from the tx source.
func (s *Server) tx(w http.ResponseWriter, r *http.Request, ts TxSource) {
	h, e := query.ParseTxHash(r.PathValue("hash"))
	if e != nil {
		writeError(w, httpStatus(e.Code), e.Code, e.Msg)
		return
	}
	tx, found, err := ts.Tx(r.Context(), h)
	if err != nil {
		s.log.Error("tx lookup failed", "hash", fmt.Sprintf("%X", h), "err", err)
		writeError(w, http.StatusInternalServerError, query.CodeInternal, "the transaction index could not be read")
		return
	}
	if !found {
		writeError(w, http.StatusNotFound, query.CodeNotFound, fmt.Sprintf("no tx %X in the index (not committed yet, or unknown)", h))
		return
	}
	writeJSON(w, http.StatusOK, tx)
}

// httpStatus maps a query code to an HTTP status.
func httpStatus(c query.Code) int {
	switch c {
	case query.CodeOK:
		return http.StatusOK
	case query.CodeBadRequest:
		return http.StatusBadRequest
	case query.CodeNotFound, query.CodeUnknownPath:
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON body of every error answer.
type ErrorBody struct {
	Code   uint32 `json:"code"`
	Status string `json:"status"`
	Error  string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, c query.Code, msg string) {
	writeJSON(w, status, ErrorBody{Code: uint32(c), Status: c.String(), Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	bz, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("api: marshal %T: %v", v, err)) // our own types always marshal
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(bz, '\n'))
}
