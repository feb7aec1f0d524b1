package replay

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
)

// maxBody bounds what HTTPSource reads from a response.
const maxBody = 1 << 30

// HTTPSource reads an oracle's HTTP API (Service) and segments from an
// ingest service or any server with the same GET /v1/segments/{hash}
// endpoint (the oracle mirrors the segments it scored).
type HTTPSource struct {
	Oracle string // base URL of the oracle, e.g. http://127.0.0.1:26680
	Ingest string // base URL serving segments; Oracle if empty
	Client *http.Client
	// Sign, if set, signs each request: an oracle's segment requests,
	// which ingest answers before segments are public
	// (ingest.SignSegmentRequest).
	Sign func(*http.Request)
}

// NewHTTPSource returns a source over the oracle at oracle and the
// segment server at ingest (the oracle if empty).
func NewHTTPSource(oracle, ingest string) *HTTPSource {
	return &HTTPSource{
		Oracle: strings.TrimRight(oracle, "/"), Ingest: strings.TrimRight(ingest, "/"),
		Client: &http.Client{Timeout: 2 * time.Minute},
	}
}

func (s *HTTPSource) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if s.Sign != nil {
		s.Sign(req)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("get %s: %w: %s", u, score.ErrNotFound, strings.TrimSpace(string(body)))
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("get %s: http %d: %.200s", u, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return body, nil
}

// Bundle implements Source.
func (s *HTTPSource) Bundle(ctx context.Context, epoch uint64) ([]byte, error) {
	b, err := s.get(ctx, s.Oracle+"/v1/rewards/epochs/"+strconv.FormatUint(epoch, 10)+"/bundle")
	if err != nil {
		return nil, fmt.Errorf("replay: fetch bundle: %w", err)
	}
	return b, nil
}

// Manifest implements Source.
func (s *HTTPSource) Manifest(ctx context.Context, epoch uint64) ([]byte, error) {
	b, err := s.get(ctx, s.Oracle+"/v1/rewards/epochs/"+strconv.FormatUint(epoch, 10)+"/manifest")
	if err != nil {
		return nil, fmt.Errorf("replay: fetch manifest: %w", err)
	}
	return b, nil
}

// State implements Source: the kinds' states an epoch left
// (score.EncodeStates).
func (s *HTTPSource) State(ctx context.Context, epoch uint64) ([]byte, error) {
	b, err := s.get(ctx, s.Oracle+"/v1/rewards/epochs/"+strconv.FormatUint(epoch, 10)+"/state")
	if err != nil {
		return nil, fmt.Errorf("replay: fetch state: %w", err)
	}
	return b, nil
}

// Segment implements Source.
func (s *HTTPSource) Segment(ctx context.Context, hash [32]byte) ([]byte, error) {
	base := s.Ingest
	if base == "" {
		base = s.Oracle
	}
	b, err := s.get(ctx, base+"/v1/segments/"+hex.EncodeToString(hash[:]))
	if err != nil {
		return nil, fmt.Errorf("replay: fetch segment: %w", err)
	}
	return b, nil
}

// Explanation implements Explainer.
func (s *HTTPSource) Explanation(ctx context.Context, epoch uint64, device ledger.Address) (score.Explanation, error) {
	var e score.Explanation
	err := s.getJSON(ctx, "/v1/rewards/devices/"+device.String()+"?epoch="+strconv.FormatUint(epoch, 10), &e)
	return e, err
}

// Summary fetches an epoch's summary.
func (s *HTTPSource) Summary(ctx context.Context, epoch uint64) (score.Summary, error) {
	var sum score.Summary
	err := s.getJSON(ctx, "/v1/rewards/epochs/"+strconv.FormatUint(epoch, 10), &sum)
	return sum, err
}

// Device fetches a device's explanation for an epoch, or for the latest
// epoch the oracle scored when epoch is nil.
func (s *HTTPSource) Device(ctx context.Context, device string, epoch *uint64) (score.Explanation, error) {
	path := "/v1/rewards/devices/" + url.PathEscape(device)
	if epoch != nil {
		path += "?epoch=" + strconv.FormatUint(*epoch, 10)
	}
	var e score.Explanation
	err := s.getJSON(ctx, path, &e)
	return e, err
}

// Proof fetches a device's cumulative total and Merkle proof.
func (s *HTTPSource) Proof(ctx context.Context, device ledger.Address) (ClaimProof, error) {
	var p ClaimProof
	err := s.getJSON(ctx, "/v1/rewards/devices/"+device.String()+"/proof", &p)
	return p, err
}

func (s *HTTPSource) getJSON(ctx context.Context, path string, out any) error {
	b, err := s.get(ctx, s.Oracle+path)
	if err != nil {
		return fmt.Errorf("replay: fetch %s: %w", path, err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("replay: fetch %s: decode: %w", path, err)
	}
	return nil
}

// ClaimProof is the JSON body of GET /v1/rewards/devices/{id}/proof: what
// MsgClaim carries. 64-bit numbers are JSON strings, as everywhere in
// depin's JSON APIs (internal/apidoc).
type ClaimProof struct {
	Device     string   `json:"device"`
	Epoch      uint64   `json:"epoch,string"`
	Root       string   `json:"root"`
	Cumulative uint64   `json:"cumulative,string"`
	Index      uint64   `json:"index,string"`
	Size       uint64   `json:"size,string"`
	Path       []string `json:"path"`
}

// MerkleProof converts the JSON proof into a reward.Proof.
func (p ClaimProof) MerkleProof() (reward.Proof, error) {
	out := reward.Proof{Index: p.Index, Size: p.Size}
	for i, h := range p.Path {
		v, err := parseHash(h)
		if err != nil {
			return reward.Proof{}, fmt.Errorf("replay: proof: path %d: %w", i, err)
		}
		out.Path = append(out.Path, reward.Hash(v))
	}
	return out, nil
}

// parseHash parses 32 bytes of hex.
func parseHash(s string) ([32]byte, error) {
	var h [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return h, fmt.Errorf("%q is not 32 bytes of hex", s)
	}
	copy(h[:], b)
	return h, nil
}
