package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	arelay "github.com/depin-network/depin/agent/relay"
	"github.com/depin-network/depin/internal/client"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// newRelayCmds builds depin relay: source, serve, fetch, register, open
// and close (docs/relay.md).
func newRelayCmds() []*cobra.Command {
	rc := &cobra.Command{Use: "relay", Short: "Relay bytes for consumers and get paid for the bytes they sign for, or fetch through a relay"}
	pf := rc.PersistentFlags()
	pf.String("node", client.DefaultNode, "CometBFT RPC address of the node")
	pf.String("from", "", "key that signs (the relay or the consumer)")
	pf.String("fee", "", "transaction fee, e.g. 1000upin (default: the chain's bank.min_fee)")
	pf.String("passphrase-file", "", "read the keyring passphrase from the first line of this file")

	source := &cobra.Command{Use: "source DIR", Short: "Serve the files of DIR with their chunk manifests (GET /files/NAME, /files/NAME.manifest)",
		Args: cobra.ExactArgs(1), RunE: runRelaySource}
	source.Flags().String("listen", "127.0.0.1:9400", "address to serve on")
	serve := &cobra.Command{Use: "serve", Short: "Run a relay: forward ranges from --source, collect receipts and claim them on chain",
		Args: cobra.NoArgs, RunE: runRelayServe}
	serve.Flags().String("source", "", "base URL of the source (required)")
	serve.Flags().String("listen", "127.0.0.1:9410", "address to serve on")
	serve.Flags().Duration("claim-every", 10*time.Second, "how often to claim the latest receipts")
	serve.Flags().Bool("inflate", false, "simulation only: double the bytes of the receipts it claims (the chain refuses them)")
	fetch := &cobra.Command{Use: "fetch NAME", Short: "Fetch a file through a relay, checking each chunk and signing a receipt after it",
		Args: cobra.ExactArgs(1), RunE: runRelayFetch}
	fetch.Flags().String("source", "", "base URL of the source, for the manifest (required)")
	fetch.Flags().String("relay", "", "the relay's address (required)")
	fetch.Flags().String("relay-url", "", "the relay's base URL (default: its registered host URI)")
	fetch.Flags().String("out", "", "file to write (default: NAME)")
	register := &cobra.Command{Use: "register HOST_URI", Short: "Register --from (a market provider) as a relay", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			typ, val, err := arelay.RegisterMsg(args[0])
			if err != nil {
				return err
			}
			return relaySend(cmd, typ, val)
		}}
	open := &cobra.Command{Use: "open RELAY", Short: "Open or top up --from's channel with a relay", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ra, err := resolveAddress(cmd, args[0])
			if err != nil {
				return err
			}
			price, _ := cmd.Flags().GetUint64("price")
			deposit, _ := cmd.Flags().GetUint64("deposit")
			typ, val, err := arelay.OpenMsg(ra, price, deposit)
			if err != nil {
				return err
			}
			return relaySend(cmd, typ, val)
		}}
	open.Flags().Uint64("price", 1_000, "upin per MiB")
	open.Flags().Uint64("deposit", 1_000_000, "upin to deposit")
	rc.AddCommand(source, serve, fetch, register, open)
	return []*cobra.Command{rc}
}

func relaySend(cmd *cobra.Command, typ string, val []byte) error {
	from, _ := cmd.Flags().GetString("from")
	if from == "" {
		return errors.New("--from is required")
	}
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, from, &txv1.Msg{Type: typ, Value: val})
}

func runRelaySource(cmd *cobra.Command, args []string) error {
	entries, err := os.ReadDir(args[0])
	if err != nil {
		return err
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if e.Type().IsRegular() {
			b, err := os.ReadFile(filepath.Join(args[0], e.Name()))
			if err != nil {
				return err
			}
			files[e.Name()] = b
		}
	}
	listen, _ := cmd.Flags().GetString("listen")
	return serveUntilDone(cmd.Context(), listen, arelay.NewSource(files, arelay.DefaultChunk), nil)
}

func serveUntilDone(ctx context.Context, listen string, h http.Handler, every func(context.Context)) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	if every == nil {
		<-ctx.Done()
		return nil
	}
	every(ctx)
	return nil
}

func runRelayServe(cmd *cobra.Command, _ []string) error {
	from, _ := cmd.Flags().GetString("from")
	src, _ := cmd.Flags().GetString("source")
	if from == "" || src == "" {
		return errors.New("--from and --source are required")
	}
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	priv, err := txKey(cmd, from)
	if err != nil {
		return err
	}
	fee, err := txFee(cmd, c, denom)
	if err != nil {
		return err
	}
	st, err := c.Status(cmd.Context())
	if err != nil {
		return err
	}
	w := &relayWallet{c: c, key: priv, fee: fee}
	rl := &arelay.Relay{Source: src, Addr: w.addr(), ChainID: st.ChainID}
	listen, _ := cmd.Flags().GetString("listen")
	every, _ := cmd.Flags().GetDuration("claim-every")
	inflate, _ := cmd.Flags().GetBool("inflate")
	log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil)).With("service", "relay", "relay", w.addr().String())
	return serveUntilDone(cmd.Context(), listen, rl.Handler(), func(ctx context.Context) {
		_ = loop(ctx, every, func(ctx context.Context) { claimLatest(ctx, w, rl, inflate, log) })
	})
}

// claimLatest claims every consumer's latest receipt the chain has not
// paid yet; an inflating relay doubles the bytes first, and the chain
// refuses the forged receipt.
func claimLatest(ctx context.Context, w *relayWallet, rl *arelay.Relay, inflate bool, log *slog.Logger) {
	for _, sr := range rl.Latest() {
		if inflate {
			sr = arelay.Inflate(sr)
		}
		typ, val, err := arelay.ClaimMsg(sr)
		if err != nil {
			continue
		}
		if _, err := w.c.SignAndSend(ctx, w.key, client.Tx{Fee: w.fee, Msgs: []*txv1.Msg{{Type: typ, Value: val}}}); err != nil {
			log.Info("claim refused", "err", err)
			continue
		}
		log.Info("claimed", "receipt_bytes", arelay.ReceiptBytes(sr))
	}
}

func runRelayFetch(cmd *cobra.Command, args []string) error {
	from, _ := cmd.Flags().GetString("from")
	src, _ := cmd.Flags().GetString("source")
	relayArg, _ := cmd.Flags().GetString("relay")
	if from == "" || src == "" || relayArg == "" {
		return errors.New("--from, --source and --relay are required")
	}
	c, err := nodeClient(cmd)
	if err != nil {
		return err
	}
	priv, err := txKey(cmd, from)
	if err != nil {
		return err
	}
	ra, err := resolveAddress(cmd, relayArg)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	st, err := c.Status(ctx)
	if err != nil {
		return err
	}
	url, _ := cmd.Flags().GetString("relay-url")
	if url == "" {
		var r struct {
			HostURI string `json:"host_uri"`
		}
		if err := c.Query(ctx, "relay/relays/"+ra.String(), &r); err != nil {
			return err
		}
		url = r.HostURI
	}
	me := (&relayWallet{key: priv}).addr()
	var ch struct {
		Bytes      uint64 `json:"bytes,string"`
		Generation uint64 `json:"generation,string"`
	}
	if err := c.Query(ctx, "relay/channels/"+me.String()+"/"+ra.String(), &ch); err != nil {
		return fmt.Errorf("no channel with %s (depin relay open first): %w", ra, err)
	}
	m, err := arelay.GetManifest(ctx, nil, src, args[0])
	if err != nil {
		return err
	}
	f := &arelay.Fetcher{Key: priv, ChainID: st.ChainID, Relay: url, RelayAddr: ra, Signed: ch.Bytes, Generation: ch.Generation}
	b, err := f.Fetch(ctx, url+"/relay/", m)
	if err != nil {
		return err
	}
	out, _ := cmd.Flags().GetString("out")
	if out == "" {
		out = filepath.Base(args[0])
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	return printComputeResult(cmd, map[string]any{"out": out, "bytes": len(b), "signed": fmt.Sprint(f.Signed)},
		fmt.Sprintf("wrote %s (%d bytes, every chunk checked); receipts signed for %d bytes in all", out, len(b), f.Signed))
}
