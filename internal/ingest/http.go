package ingest

import (
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"strconv"
	"time"

	"connectrpc.com/connect"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/depin-network/depin/internal/apidoc"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/proto/depin/ingest/v1/ingestv1connect"
)

// newServer builds the HTTP server: connect RPCs over HTTP/1.1 and
// unencrypted HTTP/2 (h2c), the segment endpoints and /metrics.
func (s *Service) newServer() *http.Server {
	mux := http.NewServeMux()
	// A full batch of the largest reports, plus protobuf framing.
	maxBytes := int64(s.cfg.MaxBatch) * int64(s.cfg.MaxReportBytes+16)
	path, h := ingestv1connect.NewIngestServiceHandler(s, connect.WithReadMaxBytes(int(min(maxBytes, 1<<30))),
		// Results are mostly hashes, which do not compress: skip gzip.
		connect.WithCompressMinBytes(1<<30),
		// Decoding errors in depin's words, not the protobuf library's.
		connect.WithCodec(protoCodec{}), connect.WithCodec(jsonCodec{}))
	mux.Handle(path, h)
	handleGRPCTools(mux)
	mux.Handle("GET /openapi.json", apidoc.Handler(apidoc.Info{Title: "depin ingest", Version: "v1",
		Description: "Ingest's JSON routes: connect RPCs (POST, JSON or protobuf) and the published segments. 64-bit numbers are strings."}, Routes()))
	mux.HandleFunc("GET /v1/segments/{hash}", s.getSegment)
	mux.HandleFunc("GET /v1/epochs/{n}/segments", s.listSegments)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	return &http.Server{
		Handler:           mux,
		Protocols:         &protocols,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ConnContext:       withConn,
		ErrorLog:          nil,
	}
}

// Routes lists ingest's JSON routes (described at /openapi.json).
func Routes() []apidoc.Route {
	return []apidoc.Route{
		{Method: http.MethodPost, Path: ingestv1connect.IngestServiceSubmitBatchProcedure, Summary: "submit signed device reports; acknowledged once durable (connect: JSON or protobuf)"},
		{Method: http.MethodPost, Path: ingestv1connect.IngestServiceGetEntropyProcedure, Summary: "recent chain entropy that reports must reference"},
		{Method: http.MethodGet, Path: "/v1/segments/{hash}", Summary: "a published segment's bytes", Produces: "application/octet-stream"},
		{Method: http.MethodGet, Path: "/v1/epochs/{n}/segments", Summary: "the segments of an epoch: hashes, Merkle roots, counts"},
	}
}

func (s *Service) getSegment(w http.ResponseWriter, r *http.Request) {
	hash := r.PathValue("hash")
	if b, err := hex.DecodeString(hash); err != nil || len(b) != 32 || hex.EncodeToString(b) != hash {
		apidoc.WriteError(w, http.StatusBadRequest, ledger.QueryBadRequest, "segment hash must be 64 lower-case hex digits")
		return
	}
	path, epoch, ok := s.store.lookup(hash)
	if !ok {
		apidoc.WriteError(w, http.StatusNotFound, ledger.QueryNotFound, "no segment with hash "+hash)
		return
	}
	if why := s.segmentAccess(r, epoch); why != "" {
		apidoc.WriteError(w, http.StatusForbidden, ledger.QueryForbidden, "segment_not_public: "+why)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		s.logger.Error("ingest: serve segment", "hash", hash, "err", err)
		apidoc.WriteError(w, http.StatusInternalServerError, ledger.QueryInternal, "segment unavailable")
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	if r.Header.Get(HeaderOracleKey) != "" {
		w.Header().Set("Cache-Control", "private, no-store") // may be before publication
	} else {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	http.ServeContent(w, r, "", time.Time{}, f)
}

// SegmentListing is the JSON body of GET /v1/epochs/{n}/segments.
type SegmentListing struct {
	Epoch    uint64        `json:"epoch,string"`
	Segments []SegmentJSON `json:"segments"`
}

// SegmentJSON describes one segment; hashes are lower-case hex.
type SegmentJSON struct {
	Hash       string `json:"hash"`
	MerkleRoot string `json:"merkle_root"`
	Count      uint64 `json:"count,string"`
	FirstSeq   uint64 `json:"first_seq,string"`
	LastSeq    uint64 `json:"last_seq,string"`
	Committed  bool   `json:"committed"`
}

func (s *Service) listSegments(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.ParseUint(r.PathValue("n"), 10, 64)
	if err != nil {
		apidoc.WriteError(w, http.StatusBadRequest, ledger.QueryBadRequest, "epoch must be a non-negative integer")
		return
	}
	out := SegmentListing{Epoch: n, Segments: []SegmentJSON{}}
	for _, e := range s.store.epoch(n) {
		out.Segments = append(out.Segments, SegmentJSON{
			Hash: e.Hash, MerkleRoot: e.MerkleRoot, Count: e.Count,
			FirstSeq: e.FirstSeq, LastSeq: e.LastSeq, Committed: e.Committed,
		})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}
