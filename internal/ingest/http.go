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

func (s *Service) getSegment(w http.ResponseWriter, r *http.Request) {
	hash := r.PathValue("hash")
	if b, err := hex.DecodeString(hash); err != nil || len(b) != 32 || hex.EncodeToString(b) != hash {
		http.Error(w, "segment hash must be 64 lower-case hex digits", http.StatusBadRequest)
		return
	}
	path, epoch, ok := s.store.lookup(hash)
	if !ok {
		http.Error(w, "no segment with hash "+hash, http.StatusNotFound)
		return
	}
	if why := s.segmentAccess(r, epoch); why != "" {
		http.Error(w, "segment_not_public: "+why, http.StatusForbidden)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		s.logger.Error("ingest: serve segment", "hash", hash, "err", err)
		http.Error(w, "segment unavailable", http.StatusInternalServerError)
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
	Epoch    uint64        `json:"epoch"`
	Segments []SegmentJSON `json:"segments"`
}

// SegmentJSON describes one segment; hashes are lower-case hex.
type SegmentJSON struct {
	Hash       string `json:"hash"`
	MerkleRoot string `json:"merkle_root"`
	Count      uint64 `json:"count"`
	FirstSeq   uint64 `json:"first_seq"`
	LastSeq    uint64 `json:"last_seq"`
	Committed  bool   `json:"committed"`
}

func (s *Service) listSegments(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.ParseUint(r.PathValue("n"), 10, 64)
	if err != nil {
		http.Error(w, "epoch must be a non-negative integer", http.StatusBadRequest)
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
