package oracle

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/replay"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/score"
)

// Handler returns the read-only HTTP API:
//
//	GET /v1/rewards/epochs/{n}              summary (JSON)
//	GET /v1/rewards/epochs/{n}/manifest     canonical manifest bytes
//	GET /v1/rewards/epochs/{n}/bundle       canonical inputs bundle (JSON)
//	GET /v1/rewards/epochs/{n}/explanations every device's explanation (JSON array)
//	GET /v1/rewards/devices/{id}?epoch=N    explanation (JSON); latest epoch by default
//	GET /v1/rewards/devices/{id}/proof      cumulative total and Merkle proof (JSON)
//	GET /v1/segments/{hash}                 the segments the oracle scored
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/rewards/epochs/{n}", s.getSummary)
	mux.HandleFunc("GET /v1/rewards/epochs/{n}/manifest", s.getBlob(func(r *epochRecord) string { return r.Manifest }, "application/octet-stream"))
	mux.HandleFunc("GET /v1/rewards/epochs/{n}/bundle", s.getBlob(func(r *epochRecord) string { return r.Bundle }, "application/json"))
	mux.HandleFunc("GET /v1/rewards/epochs/{n}/explanations", s.getBlob(func(r *epochRecord) string { return r.Explanations }, "application/json"))
	mux.HandleFunc("GET /v1/rewards/devices/{id}", s.getDevice)
	mux.HandleFunc("GET /v1/rewards/devices/{id}/proof", s.getProof)
	mux.HandleFunc("GET /v1/segments/{hash}", s.getSegment)
	return mux
}

// apiError is the JSON body of every failed request.
type apiError struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Service) fail(w http.ResponseWriter, err error, what string) {
	if errors.Is(err, score.ErrNotFound) {
		writeJSON(w, http.StatusNotFound, apiError{Error: what + " not found"})
		return
	}
	s.log.Error("oracle: api", "what", what, "err", err)
	writeJSON(w, http.StatusInternalServerError, apiError{Error: "internal error reading " + what})
}

func (s *Service) epochParam(w http.ResponseWriter, v string) (*epochRecord, bool) {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "epoch must be a non-negative integer"})
		return nil, false
	}
	rec, err := s.store.record(n)
	if err != nil {
		s.fail(w, err, "epoch "+v)
		return nil, false
	}
	return rec, true
}

func (s *Service) getSummary(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.epochParam(w, r.PathValue("n"))
	if !ok {
		return
	}
	sum, err := s.summary(rec)
	if err != nil {
		s.fail(w, err, "summary")
		return
	}
	writeJSON(w, http.StatusOK, sum)
}

func (s *Service) getBlob(pick func(*epochRecord) string, ctype string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec, ok := s.epochParam(w, r.PathValue("n"))
		if !ok {
			return
		}
		b, err := s.store.get(pick(rec))
		if err != nil {
			s.fail(w, err, "object")
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		_, _ = w.Write(b)
	}
}

func (s *Service) getSegment(w http.ResponseWriter, r *http.Request) {
	hash := r.PathValue("hash")
	if b, err := hex.DecodeString(hash); err != nil || len(b) != 32 || hex.EncodeToString(b) != hash {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "segment hash must be 64 lower-case hex digits"})
		return
	}
	b, err := s.store.get(hash)
	if err != nil {
		s.fail(w, err, "segment "+hash)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(b)
}

// deviceEpoch parses the device id and the epoch (?epoch=, else latest).
func (s *Service) deviceEpoch(w http.ResponseWriter, r *http.Request) (ledger.Address, *epochRecord, bool) {
	dev, err := ledger.ParseAddress(r.PathValue("id"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "device: " + err.Error()})
		return dev, nil, false
	}
	v := r.URL.Query().Get("epoch")
	if v == "" {
		n, ok, err := s.store.latest()
		if err != nil || !ok {
			s.fail(w, errors.Join(err, score.ErrNotFound), "scored epoch")
			return dev, nil, false
		}
		v = strconv.FormatUint(n, 10)
	}
	rec, ok := s.epochParam(w, v)
	return dev, rec, ok
}

func (s *Service) getDevice(w http.ResponseWriter, r *http.Request) {
	dev, rec, ok := s.deviceEpoch(w, r)
	if !ok {
		return
	}
	list, err := s.explanations(rec)
	if err != nil {
		s.fail(w, err, "explanations")
		return
	}
	e, found := score.FindExplanation(list, dev)
	if !found {
		// A device with nothing this epoch still has its carried total.
		e = score.Explanation{Epoch: rec.Epoch, Device: dev.String(), Pools: []score.PoolPayout{}, Reports: []score.ReportReason{}}
		if mb, err := s.store.get(rec.Manifest); err == nil {
			if m, err := reward.DecodeManifest(mb); err == nil {
				e.ScorerVersion = m.ScorerVersion
				if i, ok := m.Find(dev); ok {
					e.Cumulative = m.Entries[i].Cumulative
				}
			}
		}
	}
	writeJSON(w, http.StatusOK, e)
}

func (s *Service) getProof(w http.ResponseWriter, r *http.Request) {
	var dev ledger.Address
	var rec *epochRecord
	var ok bool
	if r.URL.Query().Get("epoch") == "" {
		dev, rec, ok = s.settledEpoch(w, r)
	} else {
		dev, rec, ok = s.deviceEpoch(w, r)
	}
	if !ok {
		return
	}
	mb, err := s.store.get(rec.Manifest)
	if err != nil {
		s.fail(w, err, "manifest")
		return
	}
	m, err := decodeManifestFor(rec.Epoch, mb)
	if err != nil {
		s.fail(w, err, "manifest")
		return
	}
	p, err := m.Proof(dev)
	if err != nil {
		writeJSON(w, http.StatusNotFound, apiError{Error: err.Error()})
		return
	}
	i, _ := m.Find(dev)
	out := replay.ClaimProof{Device: dev.String(), Epoch: rec.Epoch, Root: m.Root().String(),
		Cumulative: m.Entries[i].Cumulative, Index: p.Index, Size: p.Size, Path: []string{}}
	for _, h := range p.Path {
		out.Path = append(out.Path, h.String())
	}
	writeJSON(w, http.StatusOK, out)
}

// settledEpoch parses the device id and picks the latest stored epoch
// whose root the chain settled: claims prove against the latest settled
// root.
func (s *Service) settledEpoch(w http.ResponseWriter, r *http.Request) (ledger.Address, *epochRecord, bool) {
	dev, err := ledger.ParseAddress(r.PathValue("id"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "device: " + err.Error()})
		return dev, nil, false
	}
	n, ok, err := s.store.latest()
	// Look back a bounded number of epochs: settlement lags scoring by one
	// or two epochs, not more.
	for tries := 0; err == nil && ok && tries < 64; tries, n = tries+1, n-1 {
		rec, rerr := s.store.record(n)
		if rerr == nil {
			if set, serr := s.ledger.Settlement(r.Context(), n); serr == nil && set.Root.String() == rec.Root {
				return dev, rec, true
			}
		}
		if n == 0 {
			break
		}
	}
	s.fail(w, errors.Join(err, score.ErrNotFound), "settled epoch")
	return dev, nil, false
}

// explanations returns an epoch's explanations, from the cache or disk.
func (s *Service) explanations(rec *epochRecord) ([]score.Explanation, error) {
	s.mu.Lock()
	list, ok := s.cache[rec.Epoch]
	s.mu.Unlock()
	if ok {
		return list, nil
	}
	b, err := s.store.get(rec.Explanations)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.remember(rec.Epoch, list)
	s.mu.Unlock()
	return list, nil
}

func (s *Service) summary(rec *epochRecord) (score.Summary, error) {
	var sum score.Summary
	b, err := s.store.get(rec.Summary)
	if err != nil {
		return sum, err
	}
	err = json.Unmarshal(b, &sum)
	return sum, err
}

func decodeManifestFor(epoch uint64, b []byte) (*reward.Manifest, error) {
	m, err := reward.DecodeManifest(b)
	if err != nil {
		return nil, err
	}
	if m.Epoch != epoch {
		return nil, ledger.Errorf(ledger.CodeMalformed, "manifest is for epoch %d, want %d", m.Epoch, epoch)
	}
	return m, nil
}

func poolTotalOf(p score.PoolSummary) reward.PoolTotal {
	return reward.PoolTotal{Name: p.Name, Bps: p.Bps, Amount: p.Amount, Units: p.Units, Paid: p.Paid, Remainder: p.Remainder}
}
