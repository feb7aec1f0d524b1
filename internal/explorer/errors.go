package explorer

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/depin-network/depin/internal/indexer"
	"github.com/depin-network/depin/internal/ledger"
)

// httpError is an error a user sees: a status and one line.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequestf(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func notFoundf(format string, args ...any) error {
	return &httpError{http.StatusNotFound, fmt.Sprintf(format, args...)}
}

// apiError is the JSON body of a failed request.
type apiError struct {
	Error  string `json:"error"`
	Status int    `json:"status"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// fail answers an error: the user's message for a 400 or 404, a generic
// one (and a log line) for anything else.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, asJSON bool, err error) {
	var he *httpError
	switch {
	case errors.As(err, &he):
	case errors.Is(err, indexer.ErrNotFound):
		he = &httpError{http.StatusNotFound, "not found"}
		if msg := strings.TrimPrefix(err.Error(), "indexer: "); msg != "" {
			he.msg = msg
		}
	default:
		s.log.Error("explorer: request", "path", r.URL.Path, "err", err)
		he = &httpError{http.StatusInternalServerError, "internal error"}
	}
	if asJSON {
		writeJSON(w, he.status, apiError{Error: he.msg, Status: he.status})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(he.status)
	_ = s.pages["error"].Execute(w, view{Title: http.StatusText(he.status), Data: apiError{Error: he.msg, Status: he.status}})
}

// maxHeight bounds heights and epochs read from URLs.
const maxHeight = 1 << 62

// parseHeight reads a positive height or epoch number.
func parseHeight(what, s string) (int64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 || v >= maxHeight || strconv.FormatInt(v, 10) != s {
		return 0, badRequestf("%s must be a non-negative decimal integer, got %.40q", what, s)
	}
	return v, nil
}

// queryHeight reads an optional height-like query parameter (0 if absent).
func queryHeight(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	return parseHeight(name, v)
}

// parseHash reads a 32-byte hash in hex, either case, as upper-case hex.
func parseHash(s string) (string, error) {
	if len(s) != 64 {
		return "", badRequestf("a hash is 64 hex digits, got %d characters", len(s))
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return "", badRequestf("a hash is 64 hex digits, got %.70q", s)
		}
	}
	return strings.ToUpper(s), nil
}

// parseAddress reads a bech32 address.
func parseAddress(s string) (string, error) {
	a, err := ledger.ParseAddress(s)
	if err != nil {
		return "", badRequestf("%.100q is not an address: %v", s, err)
	}
	return a.String(), nil
}
