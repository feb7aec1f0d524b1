package explorer

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/depin-network/depin/internal/indexer"
)

//go:embed templates static
var assets embed.FS

// Server serves the explorer over an indexer database.
type Server struct {
	cfg   Config
	db    *indexer.DB
	log   *slog.Logger
	pages map[string]*template.Template
	state StateSource // the node's module queries, if any (UseState)
	sims  simulations // proposal simulations, latest per proposal
	m     *metrics
}

// New returns a server reading db.
func New(cfg Config, db *indexer.DB, log *slog.Logger) (*Server, error) {
	s := &Server{cfg: cfg, db: db, log: log, pages: map[string]*template.Template{}, m: newMetrics(db)}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if n == "templates/layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/partials.tmpl", n)
		if err != nil {
			return nil, fmt.Errorf("explorer: template %s: %w", n, err)
		}
		s.pages[n[len("templates/"):len(n)-len(".html")]] = t
	}
	return s, nil
}

// Handler returns the explorer's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})
	for _, p := range s.routes() {
		mux.Handle("GET "+p.pattern, s.m.instrument(p.tmpl, s.page(p, false)))
		api := "/api" + p.pattern
		if p.pattern == "/{$}" {
			api = "/api/{$}"
		}
		mux.Handle("GET "+api, s.m.instrument(p.tmpl+"_api", s.page(p, true)))
	}
	mux.Handle("GET /api/map", s.m.instrument("map_api", http.HandlerFunc(s.mapData)))
	mux.Handle("GET /fragments/latest", s.m.instrument("latest", http.HandlerFunc(s.fragmentLatest)))
	mux.Handle("GET /metrics", s.m.handler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, r.URL.Path == "/api" || len(r.URL.Path) > 4 && r.URL.Path[:5] == "/api/", notFoundf("no page at %s", r.URL.Path))
	})
	return mux
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// Run serves until ctx ends.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("explorer: listen %s: %w", s.cfg.Listen, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	s.log.Info("explorer: serving", "url", "http://"+ln.Addr().String())
	err := srv.Serve(ln)
	<-done
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
