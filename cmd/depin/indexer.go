package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/explorer"
	"github.com/depin-network/depin/internal/indexer"
	"github.com/depin-network/depin/internal/node"
)

// newIndexerCmds builds the commands of this file; the root command adds them.
func newIndexerCmds() []*cobra.Command {
	c := &cobra.Command{
		Use:   "indexer",
		Short: "Follow a node's blocks, events and reward explanations into SQLite or PostgreSQL",
		Long: `indexer runs the indexer on its own, for scale-out: it reads the node's RPC and the
oracle's API named in --home (config.toml, app.toml [indexer]) or by flags, and writes into the
database of app.toml's [indexer] db (an SQLite file, relative to the home, or a postgres:// URL).
It resumes from its last height after a restart or a crash. The node runs the same indexer
inside it when [indexer] enable = true.`,
		Args: cobra.NoArgs,
		RunE: runIndexer,
	}
	c.Flags().String("db", "", "database: SQLite file or postgres:// URL (default from app.toml)")
	c.Flags().String("node", "", "CometBFT RPC URL (default from config.toml)")
	c.Flags().String("oracle", "", "oracle API URL (default from app.toml)")
	c.Flags().String("explorer.laddr", "", "also serve the web explorer at this address (default: app.toml [explorer], when enabled)")
	return []*cobra.Command{c}
}

// indexerDB resolves the configured database against the home.
func indexerDB(home, db string) string {
	if db == "" || indexer.IsPostgresURL(db) || filepath.IsAbs(db) {
		return db
	}
	return filepath.Join(home, db)
}

// oracleURL is where the indexer reads explanations: the configured URL,
// else this home's oracle when it runs one.
func oracleURL(ac node.AppConfig) string {
	if ac.Indexer.OracleURL != "" {
		return ac.Indexer.OracleURL
	}
	if ac.Oracle.Enable {
		return "http://" + ac.Oracle.Service.ListenAddr
	}
	return ""
}

// newIndexer opens and migrates the database and builds the indexer.
func newIndexer(ctx context.Context, cfg indexer.Config, rpcURL, oracle string, logger *slog.Logger) (*indexer.Indexer, *indexer.DB, error) {
	db, err := indexer.Open(cfg.DB)
	if err != nil {
		return nil, nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	var o indexer.Oracle
	if oracle != "" {
		o = indexer.NewHTTPOracle(oracle)
	}
	return indexer.New(cfg, db, indexer.NewRPCSource(rpcURL), o, logger), db, nil
}

func runIndexer(cmd *cobra.Command, _ []string) error {
	home := homeDir(cmd)
	ac, err := node.LoadAppConfig(home)
	if err != nil {
		return err
	}
	cc, err := node.LoadCometConfig(home)
	if err != nil {
		return err
	}
	cfg := ac.Indexer
	if v, _ := cmd.Flags().GetString("db"); v != "" {
		cfg.DB = v
	}
	cfg.DB = indexerDB(home, cfg.DB)
	rpc := "http://" + strings.TrimPrefix(cc.RPC.ListenAddress, "tcp://")
	if v, _ := cmd.Flags().GetString("node"); v != "" {
		rpc = v
	}
	oracle := oracleURL(ac)
	if v, _ := cmd.Flags().GetString("oracle"); v != "" {
		oracle = v
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("module", "indexer")
	ix, db, err := newIndexer(ctx, cfg, rpc, oracle, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(cmd.OutOrStdout(), "indexer: %s database %s, node %s\n", db.Dialect(), cfg.DB, rpc)
	ec := ac.Explorer
	if v, _ := cmd.Flags().GetString("explorer.laddr"); v != "" {
		ec.Enable, ec.Listen = true, v
	}
	if !ec.Enable {
		return ix.Run(ctx)
	}
	esvc, err := newExplorer(ec, cfg.DB, rpc, logger.With("module", "explorer"))
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "explorer: http://%s\n", ec.Listen)
	errs := make(chan error, 1)
	go func() { errs <- esvc.Run(ctx) }()
	err = ix.Run(ctx)
	stop()
	if eerr := <-errs; err == nil {
		err = eerr
	}
	return err
}

// indexerService runs the indexer inside a node and closes its database
// when it stops.
type indexerService struct {
	ix *indexer.Indexer
	db *indexer.DB
}

func (s indexerService) Run(ctx context.Context) error {
	defer s.db.Close()
	return s.ix.Run(ctx)
}

// addIndexer attaches the indexer when app.toml enables it.
func addIndexer(n *node.Node, logger *slog.Logger) error {
	if !n.AppCfg.Indexer.Enable {
		return nil
	}
	cfg := n.AppCfg.Indexer
	cfg.DB = indexerDB(n.Home, cfg.DB)
	build := func() (node.Service, error) {
		ix, db, err := newIndexer(context.Background(), cfg, n.RPCURL(), oracleURL(n.AppCfg), logger)
		if err != nil {
			return nil, err
		}
		return indexerService{ix: ix, db: db}, nil
	}
	svc, err := build()
	if err != nil {
		return err
	}
	n.AddService("indexer", svc, build)
	if !n.AppCfg.Explorer.Enable {
		return nil
	}
	buildExplorer := func() (node.Service, error) {
		return newExplorer(n.AppCfg.Explorer, cfg.DB, n.RPCURL(), logger.With("module", "explorer"))
	}
	esvc, err := buildExplorer()
	if err != nil {
		return err
	}
	n.AddService("explorer", esvc, buildExplorer)
	return nil
}

// explorerService serves the explorer over its own handle on the indexer's
// database and closes it when it stops.
type explorerService struct {
	srv *explorer.Server
	db  *indexer.DB
}

func (s explorerService) Run(ctx context.Context) error {
	defer s.db.Close()
	return s.srv.Run(ctx)
}

// newExplorer opens the indexer's database (migrating it, so the explorer
// may start before the indexer's first write) and builds the server; its
// market, governance and validators pages query the node at rpcURL.
func newExplorer(cfg explorer.Config, dbURL, rpcURL string, logger *slog.Logger) (node.Service, error) {
	db, err := indexer.Open(dbURL)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	srv, err := explorer.New(cfg, db, logger)
	if err != nil {
		db.Close()
		return nil, err
	}
	state, err := client.New(rpcURL)
	if err != nil {
		db.Close()
		return nil, err
	}
	srv.UseState(state)
	return explorerService{srv: srv, db: db}, nil
}
