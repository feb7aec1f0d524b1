package oracle

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/depin-network/depin/internal/apidoc"
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
//	GET /v1/rewards/epochs/{n}/state        the kinds' states the epoch left (JSON)
//	GET /v1/rewards/epochs/{n}/explanations every device's explanation (JSON array)
//	GET /v1/rewards/devices/{id}?epoch=N    explanation (JSON); latest epoch by default
//	GET /v1/rewards/devices/{id}/proof      cumulative total and Merkle proof (JSON)
//	GET /v1/segments/{hash}                 the segments the oracle scored
//	GET /v1/oracle/status                   what the oracle is doing, and why it waits
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, r := range s.routes() {
		mux.HandleFunc(r.Method+" "+r.Path, r.h)
	}
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.m.reg, promhttp.HandlerOpts{}))
	mux.Handle("GET /openapi.json", apidoc.Handler(apidoc.Info{Title: "depin oracle", Version: "v1",
		Description: "Reward explanations, epoch summaries, manifests, input bundles and claim proofs of the epochs this oracle scored."}, Routes()))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		apidoc.WriteError(w, http.StatusNotFound, ledger.QueryUnknownPath, "unknown path "+strconv.Quote(r.URL.Path)+": see /openapi.json")
	})
	return mux
}

// route is one JSON route and its handler: Handler serves exactly these,
// and /openapi.json describes exactly these.
type route struct {
	apidoc.Route
	h http.HandlerFunc
}

func (s *Service) routes() []route {
	get := func(path, summary string, h http.HandlerFunc) route {
		return route{apidoc.Route{Method: http.MethodGet, Path: path, Summary: summary}, h}
	}
	blob := func(path, summary, ctype string, pick func(*epochRecord) string) route {
		r := get(path, summary, s.getBlob(pick, ctype))
		if ctype != "application/json" {
			r.Produces = ctype
		}
		return r
	}
	out := []route{
		get("/v1/rewards/epochs/{n}", "an epoch's summary: reports by reason, pools, totals", s.getSummary),
		get("/v1/rewards/epochs/{n}/manifest", "the canonical manifest bytes (cumulative totals): the settled one when this oracle's own differed", s.getSettled(s.store.Manifest, "application/octet-stream")),
		blob("/v1/rewards/epochs/{n}/bundle", "the canonical inputs bundle, to replay the epoch", "application/json", func(r *epochRecord) string { return r.Bundle }),
		get("/v1/rewards/epochs/{n}/explanations", "every device's explanation of the epoch (JSON array)", s.getExplanations),
		get("/v1/rewards/devices/{id}", "a device's explanation: shares, pools and a reason per report (latest epoch, or ?epoch=N)", s.getDevice),
		get("/v1/rewards/devices/{id}/proof", "a device's cumulative total and Merkle proof against a settled root (or ?epoch=N)", s.getProof),
		get("/v1/segments/{hash}", "a segment the oracle scored", s.getSegment),
		get("/v1/rewards/epochs/{n}/state", "the network kinds' states the epoch left for the next (JSON; its SHA-256 is the settled state hash): the settled ones when this oracle's own differed", s.getSettled(s.store.State, "application/json")),
		get("/v1/oracle/status", "what the oracle is doing: the next epoch and whether it waits for the previous epoch's settlement", s.getStatus),
	}
	out[1].Produces = "application/octet-stream"
	out[4].Query, out[5].Query, out[6].Produces = []string{"epoch"}, []string{"epoch"}, "application/octet-stream"
	return out
}

func (s *Service) getStatus(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Status())
}

// Routes lists the oracle API's JSON routes (described at /openapi.json).
func Routes() []apidoc.Route {
	var out []apidoc.Route
	for _, r := range (&Service{}).routes() {
		out = append(out, r.Route)
	}
	return out
}

// writeError answers with the shared error shape (internal/apidoc).
func writeError(w http.ResponseWriter, status int, msg string) {
	apidoc.WriteError(w, status, apidoc.CodeOf(status), msg)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Service) fail(w http.ResponseWriter, err error, what string) {
	if errors.Is(err, score.ErrNotFound) {
		writeError(w, http.StatusNotFound, what+" not found")
		return
	}
	s.log.Error("oracle: api", "what", what, "err", err)
	writeError(w, http.StatusInternalServerError, "internal error reading "+what)
}

func (s *Service) epochParam(w http.ResponseWriter, v string) (*epochRecord, bool) {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, "epoch must be a non-negative integer")
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

// getSettled serves an epoch's manifest or states: the settled copy the
// oracle loaded from a peer if it has one, else its own.
func (s *Service) getSettled(read func(context.Context, uint64) ([]byte, error), ctype string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.ParseUint(r.PathValue("n"), 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "epoch must be a non-negative integer")
			return
		}
		b, err := read(r.Context(), n)
		if err != nil {
			s.fail(w, err, "epoch "+r.PathValue("n"))
			return
		}
		w.Header().Set("Content-Type", ctype)
		_, _ = w.Write(b)
	}
}

func (s *Service) getBlob(pick func(*epochRecord) string, ctype string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec, ok := s.epochParam(w, r.PathValue("n"))
		if !ok {
			return
		}
		s.serveObject(w, pick(rec), ctype)
	}
}

// serveObject writes a stored object; objects are named by their hash, so
// they never change.
func (s *Service) serveObject(w http.ResponseWriter, name, ctype string) {
	b, err := s.store.get(name)
	if err != nil {
		s.fail(w, err, "object")
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(b)
}

// getExplanations serves the stored explanations as one JSON array: the
// JSON lines joined, the stored array as it is, or, for a record written
// before 64-bit integers became strings, re-encoded.
func (s *Service) getExplanations(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.epochParam(w, r.PathValue("n"))
	if !ok {
		return
	}
	if rec.JSONFormat >= jsonLines {
		f, _, err := s.store.openObject(rec.Explanations)
		if err != nil {
			s.fail(w, err, "explanations")
			return
		}
		defer f.Close()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		if err := copyExplanationArray(w, f); err != nil {
			s.log.Warn("oracle: api: explanations", "epoch", rec.Epoch, "err", err)
		}
		return
	}
	if rec.JSONFormat < jsonStrings {
		list, err := s.explanations(rec)
		if err != nil {
			s.fail(w, err, "explanations")
			return
		}
		writeJSON(w, http.StatusOK, list)
		return
	}
	s.serveObject(w, rec.Explanations, "application/json")
}

func (s *Service) getSegment(w http.ResponseWriter, r *http.Request) {
	hash := r.PathValue("hash")
	if b, err := hex.DecodeString(hash); err != nil || len(b) != 32 || hex.EncodeToString(b) != hash {
		writeError(w, http.StatusBadRequest, "segment hash must be 64 lower-case hex digits")
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
		writeError(w, http.StatusBadRequest, "device: "+err.Error())
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
	if rec.JSONFormat >= jsonLines {
		line, found, err := s.explanationLine(rec, dev)
		if err != nil {
			s.fail(w, err, "explanations")
			return
		}
		if found {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(append(line, '\n'))
			return
		}
		writeJSON(w, http.StatusOK, s.unexplained(rec, dev))
		return
	}
	list, err := s.explanations(rec)
	if err != nil {
		s.fail(w, err, "explanations")
		return
	}
	e, found := score.FindExplanation(list, dev)
	if !found {
		e = s.unexplained(rec, dev)
	}
	writeJSON(w, http.StatusOK, e)
}

// explanationLine reads dev's explanation from an epoch's JSON lines, as
// served (json.Marshal of it).
func (s *Service) explanationLine(rec *epochRecord, dev ledger.Address) ([]byte, bool, error) {
	f, size, err := s.store.openObject(rec.Explanations)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	return findExplanationLine(f, size, dev)
}

// unexplained is the explanation of a device the epoch does not explain.
// A device with nothing this epoch still has its carried total.
func (s *Service) unexplained(rec *epochRecord, dev ledger.Address) score.Explanation {
	e := score.Explanation{Epoch: rec.Epoch, Device: dev.String(), Pools: []score.PoolPayout{}, Reports: []score.ReportReason{}}
	if mb, err := s.store.get(rec.Manifest); err == nil {
		if m, err := reward.DecodeManifest(mb); err == nil {
			e.ScorerVersion = m.ScorerVersion
			if i, ok := m.Find(dev); ok {
				e.Cumulative = m.Entries[i].Cumulative
			}
		}
	}
	return e
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
		writeError(w, http.StatusNotFound, err.Error())
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
		writeError(w, http.StatusBadRequest, "device: "+err.Error())
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
	if err := apidoc.UnmarshalNumbers(b, &list); err != nil {
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
	err = apidoc.UnmarshalNumbers(b, &sum)
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
