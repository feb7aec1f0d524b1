package dataservice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/depin-network/depin/internal/dataaccess"
	"github.com/depin-network/depin/internal/kind/sensor"
	"github.com/depin-network/depin/internal/ledger"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// Config configures the data service.
type Config struct {
	// Addr is the listen address (host:port).
	Addr string `toml:"addr"`
	// MaxPerDevice bounds the readings kept per device.
	MaxPerDevice int `toml:"max_per_device"`
	// RequestWindow bounds how far a request's time may be from the
	// service's clock; nonces are remembered this long.
	RequestWindow time.Duration `toml:"request_window"`
	// Recheck is how often a stream checks that its grant still holds.
	Recheck time.Duration `toml:"recheck"`
	// MaxStream bounds one stream's duration.
	MaxStream time.Duration `toml:"max_stream"`
	// AccessLog, if set, is a file each access is appended to (JSON lines).
	AccessLog string `toml:"access_log"`
	// MaxNonces bounds the replay cache; when it is full of live nonces a
	// request is refused with HTTP 429 (ErrReplayCacheFull).
	MaxNonces int `toml:"max_nonces"`
	// MaxNoncesPerGrantee is one grantee's fair share of the replay cache
	// (MaxNonces if above it): a grantee holding that many live nonces is
	// refused with HTTP 429 (ErrGranteeShareFull) and cannot crowd out
	// the others. The default lets 100 grantees use their whole share at
	// once, each at about 8 requests a second (a share lives two request
	// windows).
	MaxNoncesPerGrantee int `toml:"max_nonces_per_grantee"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{Addr: "127.0.0.1:26695", MaxPerDevice: 2016, RequestWindow: time.Minute, Recheck: time.Second, MaxStream: time.Hour,
		MaxNonces: 100_000, MaxNoncesPerGrantee: 1_000}
}

// Grants reads a device's grants from the chain.
type Grants interface {
	DeviceGrants(ctx context.Context, device ledger.Address) ([]dataaccess.GrantView, error)
}

// Access is one entry of the access log.
type Access struct {
	Time     time.Time `json:"time"`
	Grantee  string    `json:"grantee,omitempty"`
	Device   string    `json:"device"`
	Channels []string  `json:"channels"`
	Stream   bool      `json:"stream"`
	Allowed  bool      `json:"allowed"`
	Reason   string    `json:"reason,omitempty"`
	Grant    uint64    `json:"grant,omitempty,string"`
	Readings int       `json:"readings"`
}

// Service is the data service.
type Service struct {
	cfg    Config
	grants Grants
	now    func() time.Time
	logger *slog.Logger
	store  *store
	nonces nonces
	ln     net.Listener
	srv    *http.Server

	mu     sync.Mutex
	log    []Access
	logOut *os.File
}

// New returns a service; now nil is time.Now.
func New(cfg Config, grants Grants, now func() time.Time, logger *slog.Logger) (*Service, error) {
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxPerDevice < 1 || cfg.RequestWindow <= 0 || cfg.Recheck <= 0 || cfg.MaxStream <= 0 || cfg.MaxNonces < 1 || cfg.MaxNoncesPerGrantee < 1 {
		return nil, errors.New("dataservice: config: max_per_device, request_window, recheck, max_stream, max_nonces and max_nonces_per_grantee must be positive")
	}
	s := &Service{cfg: cfg, grants: grants, now: now, logger: logger, store: newStore(cfg.MaxPerDevice),
		nonces: newNonces(cfg.MaxNonces, min(cfg.MaxNoncesPerGrantee, cfg.MaxNonces))}
	if cfg.AccessLog != "" {
		f, err := os.OpenFile(cfg.AccessLog, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, fmt.Errorf("dataservice: access log: %w", err)
		}
		s.logOut = f
	}
	return s, nil
}

// Tap takes the reports ingest accepted (ingest.Deps.Tap).
func (s *Service) Tap(reports []*reportv1.Report) { s.store.add(reports, s.now().UnixNano()) }

// Handler returns the HTTP API:
//
//	GET /v1/devices/{device}/readings?channel=..&since=UNIX_NS  readings as JSON
//	GET /v1/devices/{device}/stream?channel=..&since=UNIX_NS    readings as JSON lines, as they arrive
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/devices/{device}/readings", func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, false) })
	mux.HandleFunc("GET /v1/devices/{device}/stream", func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, true) })
	return mux
}

// Listen opens the listener (Addr() is valid after it).
func (s *Service) Listen() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("dataservice: listen: %w", err)
	}
	s.ln = ln
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	return nil
}

// Addr is the listen address.
func (s *Service) Addr() string { return s.ln.Addr().String() }

// Run serves until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	if s.ln == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.srv.Shutdown(sctx)
	}()
	if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("dataservice: serve: %w", err)
	}
	return nil
}

// Close releases the access log.
func (s *Service) Close() error {
	if s.logOut != nil {
		return s.logOut.Close()
	}
	return nil
}

// AccessLog returns the access log so far.
func (s *Service) AccessLog() []Access {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

func (s *Service) record(a Access) {
	s.logger.Info("data access", "device", a.Device, "grantee", a.Grantee, "allowed", a.Allowed, "reason", a.Reason, "readings", a.Readings, "stream", a.Stream)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.log) >= 10_000 {
		s.log = s.log[1:]
	}
	s.log = append(s.log, a)
	if s.logOut != nil {
		b, _ := json.Marshal(a)
		_, _ = s.logOut.Write(append(b, '\n'))
	}
}

// ReadingView is a reading as served.
type ReadingView struct {
	Time     int64            `json:"time,string"`
	Received int64            `json:"received,string"`
	Values   map[string]int64 `json:"values"`
}

// authorize finds an active grant of device to grantee covering chans now.
func (s *Service) authorize(ctx context.Context, device, grantee ledger.Address, chans []string) (dataaccess.GrantView, string) {
	gs, err := s.grants.DeviceGrants(ctx, device)
	if err != nil {
		s.logger.Warn("data: read grants", "err", err)
		return dataaccess.GrantView{}, "grants unavailable"
	}
	now := s.now().Unix()
	why := "no grant"
	for _, g := range gs {
		if g.Grantee != grantee.String() {
			continue
		}
		switch {
		case g.Status != "active":
			why = "grant " + g.Status
		case now >= g.NotAfter:
			why = "grant expired"
		case !covers(g.Channels, chans):
			why = "channel not granted"
		default:
			return g, ""
		}
	}
	return dataaccess.GrantView{}, why
}

func covers(granted, asked []string) bool {
	for _, c := range asked {
		if !slices.Contains(granted, c) {
			return false
		}
	}
	return true
}

func refuse(w http.ResponseWriter, code int, why string) {
	http.Error(w, why, code)
}

func (s *Service) serve(w http.ResponseWriter, r *http.Request, stream bool) {
	a := Access{Time: s.now(), Device: r.PathValue("device"), Stream: stream, Channels: r.URL.Query()["channel"]}
	device, err := ledger.ParseAddress(a.Device)
	if err != nil {
		a.Reason = "bad device"
		s.record(a)
		refuse(w, http.StatusBadRequest, "bad device address")
		return
	}
	var since int64
	if v := r.URL.Query().Get("since"); v != "" {
		if since, err = strconv.ParseInt(v, 10, 64); err != nil {
			a.Reason = "bad since"
			s.record(a)
			refuse(w, http.StatusBadRequest, "since must be Unix nanoseconds")
			return
		}
	}
	var mask uint16
	for _, c := range a.Channels {
		i, ok := sensor.ChannelIndex(c)
		if !ok {
			a.Reason = "unknown channel"
			s.record(a)
			refuse(w, http.StatusBadRequest, "unknown channel "+c)
			return
		}
		mask |= 1 << i
	}
	if len(a.Channels) == 0 {
		a.Reason = "no channel"
		s.record(a)
		refuse(w, http.StatusBadRequest, "name at least one channel")
		return
	}
	req, why := s.authenticate(r)
	if why != "" {
		a.Reason = why
		s.record(a)
		refuse(w, http.StatusUnauthorized, why)
		return
	}
	grantee := req.addr
	a.Grantee = grantee.String()
	// The grant is checked before the nonce is recorded: only a grantee
	// can put entries in the (bounded) replay cache.
	g, why := s.authorize(r.Context(), device, grantee, a.Channels)
	if why != "" {
		a.Reason = why
		s.record(a)
		refuse(w, http.StatusForbidden, why)
		return
	}
	if code, why := s.useNonce(req); code != 0 {
		a.Reason = why
		s.record(a)
		refuse(w, code, why)
		return
	}
	a.Allowed, a.Grant = true, g.ID
	lo, hi := max(since, g.NotBefore*1e9), g.NotAfter*1e9
	view := func(rs []Reading) []ReadingView {
		var out []ReadingView
		for _, x := range rs {
			if x.Time < lo || x.Time >= hi || x.Mask&mask == 0 {
				continue
			}
			v := ReadingView{Time: x.Time, Received: x.Received, Values: map[string]int64{}}
			for i := range sensor.NumChannels {
				if mask&x.Mask&(1<<i) != 0 {
					v.Values[sensor.Channels[i].Name] = x.Values[i]
				}
			}
			out = append(out, v)
		}
		return out
	}
	rs, wake := s.store.since(device, 0)
	out := view(rs)
	if !stream {
		a.Readings = len(out)
		s.record(a)
		w.Header().Set("Content-Type", "application/json")
		if out == nil {
			out = []ReadingView{}
		}
		_ = json.NewEncoder(w).Encode(struct {
			Device   string        `json:"device"`
			Grant    uint64        `json:"grant,string"`
			Readings []ReadingView `json:"readings"`
		}{a.Device, g.ID, out})
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	flusher, _ := w.(http.Flusher)
	var last int64
	sent := 0
	emit := func(rs []Reading, vs []ReadingView) {
		for _, v := range vs {
			_ = enc.Encode(v)
			sent++
		}
		for _, x := range rs {
			last = max(last, x.Received)
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
	emit(rs, out)
	deadline := time.NewTimer(s.cfg.MaxStream)
	defer deadline.Stop()
	tick := time.NewTicker(s.cfg.Recheck)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			a.Reason, a.Readings = "client closed", sent
			s.record(a)
			return
		case <-deadline.C:
			a.Reason, a.Readings = "stream time limit", sent
			s.record(a)
			return
		case <-tick.C:
			if _, why := s.authorize(r.Context(), device, grantee, a.Channels); why != "" {
				a.Reason, a.Readings = "ended: "+why, sent
				s.record(a)
				return
			}
		case <-wake:
			var rs []Reading
			rs, wake = s.store.since(device, last)
			emit(rs, view(rs))
		}
	}
}

// ChainGrants reads grants through a node's query API.
type ChainGrants struct {
	Query func(ctx context.Context, path string, out any) error
}

// DeviceGrants implements Grants.
func (c ChainGrants) DeviceGrants(ctx context.Context, device ledger.Address) ([]dataaccess.GrantView, error) {
	var out []dataaccess.GrantView
	err := c.Query(ctx, "data/devices/"+device.String()+"/grants", &out)
	return out, err
}

// ParseChannels splits a comma-separated channel list.
func ParseChannels(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}
