package apidoc

import (
	"encoding/json"
	"net/http"

	"github.com/depin-network/depin/internal/ledger"
)

// Error is the JSON body of every error answer.
type Error struct {
	Code   uint32 `json:"code"`
	Status string `json:"status"`
	Error  string `json:"error"`
}

// WriteError answers with status and the error shape.
func WriteError(w http.ResponseWriter, status int, c ledger.QueryCode, msg string) {
	WriteJSON(w, status, Error{Code: uint32(c), Status: c.String(), Error: msg})
}

// WriteJSON answers with status and v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// CodeOf is the code of an HTTP error status.
func CodeOf(status int) ledger.QueryCode {
	switch {
	case status == http.StatusNotFound:
		return ledger.QueryNotFound
	case status == http.StatusForbidden:
		return ledger.QueryForbidden
	case status >= 500:
		return ledger.QueryInternal
	}
	return ledger.QueryBadRequest
}
