package apidoc

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/depin-network/depin/internal/ledger"
)

func TestWriteError(t *testing.T) {
	for _, tt := range []struct {
		status int
		code   ledger.QueryCode
		name   string
	}{
		{400, ledger.QueryBadRequest, "bad_request"},
		{404, ledger.QueryNotFound, "not_found"},
		{403, ledger.QueryForbidden, "forbidden"},
		{500, ledger.QueryInternal, "internal"},
	} {
		if got := CodeOf(tt.status); got != tt.code {
			t.Errorf("CodeOf(%d): got %v, want %v", tt.status, got, tt.code)
		}
		w := httptest.NewRecorder()
		WriteError(w, tt.status, CodeOf(tt.status), "why")
		var e Error
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || w.Code != tt.status || e.Code != uint32(tt.code) || e.Status != tt.name || e.Error != "why" {
			t.Errorf("%d: got %d %s (%v)", tt.status, w.Code, w.Body, err)
		}
	}
}

func TestSpec(t *testing.T) {
	s := Spec(Info{Title: "t", Version: "v1"}, []Route{
		{Method: http.MethodGet, Path: "/v1/a/{id}", Query: []string{"limit"}},
		{Method: http.MethodPost, Path: "/v1/a/{id}"},
	})
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Parameters  []struct {
				Name, In string
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	get, post := doc.Paths["/v1/a/{id}"]["get"], doc.Paths["/v1/a/{id}"]["post"]
	if get.OperationID != "getV1AId" || post.OperationID != "postV1AId" || len(get.Parameters) != 2 || get.Parameters[0].In != "path" || get.Parameters[1].In != "query" {
		t.Errorf("got %s", b)
	}
}

func TestCORS(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	if h := CORS(nil, ok); h == nil {
		t.Fatal("nil handler")
	}
	h := CORS([]string{"https://a.example"}, ok)
	for _, tt := range []struct {
		method, origin string
		status         int
		allow          string
	}{
		{http.MethodGet, "https://a.example", http.StatusTeapot, "https://a.example"},
		{http.MethodGet, "https://b.example", http.StatusTeapot, ""},
		{http.MethodOptions, "https://a.example", http.StatusNoContent, "https://a.example"},
		{http.MethodOptions, "https://b.example", http.StatusTeapot, ""},
	} {
		r := httptest.NewRequest(tt.method, "/x", nil)
		r.Header.Set("Origin", tt.origin)
		if tt.method == http.MethodOptions {
			r.Header.Set("Access-Control-Request-Method", "GET")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tt.status || w.Header().Get("Access-Control-Allow-Origin") != tt.allow {
			t.Errorf("%s from %s: got %d allow %q, want %d %q", tt.method, tt.origin, w.Code, w.Header().Get("Access-Control-Allow-Origin"), tt.status, tt.allow)
		}
	}
}
