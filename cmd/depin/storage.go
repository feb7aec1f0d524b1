package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/storage"
	"github.com/depin-network/depin/internal/storage/content"
	"github.com/depin-network/depin/internal/storage/provider"
	"github.com/depin-network/depin/internal/storage/uplink"
	storagev1 "github.com/depin-network/depin/proto/depin/storage/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// newStorageCmds builds depin storage: put, get, ls, status, repair and
// provider (docs/storage.md).
func newStorageCmds() []*cobra.Command {
	st := &cobra.Command{Use: "storage", Short: "Store files on providers' disks, get them back, repair them, or rent out a disk"}
	pf := st.PersistentFlags()
	pf.String("node", client.DefaultNode, "CometBFT RPC address of the node")
	pf.String("from", "", "key that pays and owns the files (provider: the provider's key)")
	pf.String("fee", "", "transaction fee, e.g. 1000upin (default: the chain's bank.min_fee)")
	pf.String("passphrase-file", "", "read the keyring passphrase from the first line of this file")

	put := &cobra.Command{Use: "put FILE", Short: "Erasure-code, encrypt and store FILE with n providers; prints its content id",
		Args: cobra.ExactArgs(1), RunE: runStoragePut}
	f := put.Flags()
	f.String("redundancy", "4/8", "k/n: any k of n shards rebuild the file")
	f.String("duration", "100000", "deal length: blocks, or a duration with d, h or m (e.g. 30d) at --block-time")
	f.Duration("block-time", time.Second, "block time used to turn --duration into blocks")
	f.String("max-price", "2upin", "most paid per MiB per block")
	f.Uint32("segment-size", content.DefaultSegmentSize, "bytes per segment")
	f.Bool("plaintext", false, "store without client-side encryption")
	f.Duration("bid-wait", 2*time.Minute, "how long to wait for bids from n distinct providers")
	f.Duration("bid-grace", 3*time.Second, "how long bids are still collected once n distinct providers bid (the cheapest win)")

	get := &cobra.Command{Use: "get CID", Short: "Fetch any k shards, check them against the content id, decode and decrypt",
		Args: cobra.ExactArgs(1), RunE: runStorageGet}
	get.Flags().String("out", "", "file to write (default: the CID in the current directory)")

	ls := &cobra.Command{Use: "ls", Short: "List the content ids of --from's files", Args: cobra.NoArgs, RunE: runStorageLs}
	status := &cobra.Command{Use: "status CID", Short: "Shards, providers, proofs passed and missed, collateral slashed",
		Args: cobra.ExactArgs(1), RunE: runStorageStatus}
	repair := &cobra.Command{Use: "repair [CID]", Short: "Rebuild shards without an open deal and place them with new providers (without CID: every degraded file whose owner keeps a repair fund, and --from's own)",
		Long: `repair rebuilds the shards of a file that lost their provider from k others and places them
with new providers. Anyone may run it: the shards are erasure-coded ciphertext, rebuilt without
the owner's keys; a repair of another owner's file names the closed deal it replaces, the chain
moves the new lease to the owner and repays the repairer from the owner's repair fund
(depin storage fund-repair) with storage.repair_reward on top.`,
		Args: cobra.MaximumNArgs(1), RunE: runStorageRepair}
	repair.Flags().Duration("every", 0, "keep repairing at this interval (the repair worker) instead of once")

	fund := &cobra.Command{Use: "fund-repair AMOUNT", Short: "Set --from's repair fund, which pays anyone who repairs its files (e.g. 100000000upin; 0 withdraws it)",
		Args: cobra.ExactArgs(1), RunE: runStorageFundRepair}
	prov := &cobra.Command{Use: "provider", Short: "Rent out a directory of a disk: bid, keep shards, answer proofs",
		Args: cobra.NoArgs, RunE: runStorageProvider}
	pfl := prov.Flags()
	pfl.String("dir", "", "directory for shards (default <home>/storage-provider)")
	pfl.String("listen", "127.0.0.1:7480", "HTTP address for uploads and downloads")
	pfl.String("host-uri", "", "URI the market lists (default http://<listen>)")
	pfl.String("capacity", "10GiB", "most bytes of shards kept (B, KiB, MiB, GiB, TiB)")
	pfl.String("price", "1upin", "bid per MiB per block")
	pfl.String("collateral", "", "collateral of each bid (default: the chain's market.min_collateral)")
	pfl.Duration("poll", time.Second, "how often to look at the chain")
	pfl.String("adversary", "", "misbehave on purpose, for tests and devnets: delete, partial, late, corrupt, corrupt-serve or corrupt-quiet")
	st.AddCommand(put, get, ls, status, repair, fund, prov)
	return []*cobra.Command{st}
}

func storageLogger(cmd *cobra.Command) *slog.Logger {
	return slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// storageUplink opens the node client, the --from key and its storage
// master key (<home>/storage/<key>.key, created on first use); adjust, if
// given, completes the config from the chain.
func storageUplink(cmd *cobra.Command, cfg uplink.Config, adjust func(*client.Client, client.Denom, *uplink.Config) error) (*uplink.Uplink, *client.Client, error) {
	from, _ := cmd.Flags().GetString("from")
	if from == "" {
		return nil, nil, errors.New("name the owner's key with --from")
	}
	c, denom, err := txSetup(cmd)
	if err != nil {
		return nil, nil, err
	}
	priv, err := txKey(cmd, from)
	if err != nil {
		return nil, nil, err
	}
	if cfg.Fee, err = txFee(cmd, c, denom); err != nil {
		return nil, nil, err
	}
	if adjust != nil {
		if err := adjust(c, denom, &cfg); err != nil {
			return nil, nil, err
		}
	}
	master, err := storageMasterKey(homeDir(cmd), from)
	if err != nil {
		return nil, nil, err
	}
	return uplink.New(cfg, c, priv, master, storageLogger(cmd)), c, nil
}

// storageMasterKey reads (or creates) the key that encrypts a key name's
// files. Only its owner holds it: lose it and the files are lost.
func storageMasterKey(home, name string) ([]byte, error) {
	path := filepath.Join(home, "storage", name+".key")
	if b, err := os.ReadFile(path); err == nil {
		k, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) != content.KeyLen {
			return nil, fmt.Errorf("storage key %s: want %d hex bytes", path, content.KeyLen)
		}
		return k, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	k := make([]byte, content.KeyLen)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(k)+"\n"), 0o600); err != nil {
		return nil, err
	}
	return k, nil
}

func parseRedundancy(s string) (int, int, error) {
	ks, ns, ok := strings.Cut(s, "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || k < 1 || n <= k || n > content.MaxShards {
		return 0, 0, fmt.Errorf("redundancy %q: want k/n with 1 <= k < n <= %d", s, content.MaxShards)
	}
	return k, n, nil
}

// parseBlocks reads a number of blocks, or a duration in days, hours or
// minutes at the given block time.
func parseBlocks(s string, block time.Duration) (uint64, error) {
	if n, err := strconv.ParseUint(s, 10, 64); err == nil && n > 0 {
		return n, nil
	}
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'h': time.Hour, 'm': time.Minute}
	if len(s) > 1 {
		if u, ok := unit[s[len(s)-1]]; ok {
			n, err := strconv.ParseUint(s[:len(s)-1], 10, 32)
			if err == nil && n > 0 && block > 0 {
				return uint64(time.Duration(n) * u / block), nil
			}
		}
	}
	return 0, fmt.Errorf("duration %q: want blocks, or a number with d, h or m", s)
}

// parseBytes reads a size with a unit (B, KiB, MiB, GiB, TiB).
func parseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mul    int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			n, err := strconv.ParseInt(num, 10, 64)
			if err != nil || n < 0 || n > (1<<62)/u.mul {
				break
			}
			return n * u.mul, nil
		}
	}
	return 0, fmt.Errorf("size %q: want a whole number with B, KiB, MiB, GiB or TiB", s)
}

func signalContext(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
}

func runStoragePut(cmd *cobra.Command, args []string) error {
	cfg := uplink.DefaultConfig()
	var err error
	red, _ := cmd.Flags().GetString("redundancy")
	if cfg.K, cfg.N, err = parseRedundancy(red); err != nil {
		return err
	}
	dur, _ := cmd.Flags().GetString("duration")
	bt, _ := cmd.Flags().GetDuration("block-time")
	if cfg.Duration, err = parseBlocks(dur, bt); err != nil {
		return err
	}
	cfg.SegmentSize, _ = cmd.Flags().GetUint32("segment-size")
	cfg.Plaintext, _ = cmd.Flags().GetBool("plaintext")
	cfg.BidWait, _ = cmd.Flags().GetDuration("bid-wait")
	cfg.BidGrace, _ = cmd.Flags().GetDuration("bid-grace")
	cfg.TmpDir = filepath.Dir(args[0])
	u, _, err := storageUplink(cmd, cfg, func(c *client.Client, denom client.Denom, cfg *uplink.Config) error {
		mp, _ := cmd.Flags().GetString("max-price")
		var err error
		if cfg.MaxPrice, err = denom.ParseAmount(mp); err != nil {
			return err
		}
		cfg.MinDeposit, err = chainParam(cmd, c, market.MinDeposit.Name)
		return err
	})
	if err != nil {
		return err
	}
	ctx, stop := signalContext(cmd)
	defer stop()
	cid, err := u.Put(ctx, args[0], rand.Reader)
	if err != nil {
		return err
	}
	if outputJSON(cmd) {
		return printJSON(cmd, map[string]string{"cid": cid.String()})
	}
	fmt.Fprintln(cmd.OutOrStdout(), cid)
	return nil
}

func runStorageGet(cmd *cobra.Command, args []string) error {
	cid, err := content.ParseCID(args[0])
	if err != nil {
		return err
	}
	out, _ := cmd.Flags().GetString("out")
	if out == "" {
		out = cid.String()
	}
	cfg := uplink.DefaultConfig()
	cfg.TmpDir = filepath.Dir(out)
	u, _, err := storageUplink(cmd, cfg, nil)
	if err != nil {
		return err
	}
	ctx, stop := signalContext(cmd)
	defer stop()
	bad, err := u.Get(ctx, cid, out)
	for _, b := range bad {
		how := "it signed nothing provable, not reported"
		switch {
		case b.Reported:
			how = "reported on chain (storage/report)"
		case b.ReportErr != nil:
			how = "the report was refused: " + b.ReportErr.Error()
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "provider %s served a corrupt shard %d (deal %d): %s\n", b.Provider, b.Shard, b.Deal, how)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", out)
	return nil
}

func runStorageLs(cmd *cobra.Command, _ []string) error {
	u, _, err := storageUplink(cmd, uplink.DefaultConfig(), nil)
	if err != nil {
		return err
	}
	cids, err := u.Files(cmd.Context())
	if err != nil {
		return err
	}
	if outputJSON(cmd) {
		out := make([]string, len(cids))
		for i, c := range cids {
			out[i] = c.String()
		}
		return printJSON(cmd, out)
	}
	for _, c := range cids {
		fmt.Fprintln(cmd.OutOrStdout(), c)
	}
	return nil
}

func runStorageStatus(cmd *cobra.Command, args []string) error {
	cid, err := content.ParseCID(args[0])
	if err != nil {
		return err
	}
	c, err := nodeClient(cmd)
	if err != nil {
		return err
	}
	u := uplink.New(uplink.DefaultConfig(), c, nil, nil, storageLogger(cmd))
	st, err := u.Status(cmd.Context(), cid)
	if err != nil {
		return err
	}
	if outputJSON(cmd) {
		return printJSON(cmd, st)
	}
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
	fmt.Fprintf(w, "cid:\t%s\n", st.CID)
	if st.N > 0 {
		fmt.Fprintf(w, "layout:\t%d of %d shards, %d bytes\n", st.K, st.N, st.Size)
	}
	fmt.Fprintf(w, "live shards:\t%d\n\n", st.Live)
	fmt.Fprintln(w, "shard\tdeal\tprovider\tstate\tpassed\tmissed\twrong\treported\tcollateral left\tslashed")
	for _, d := range st.Deals {
		state := d.State
		if d.CloseReason != "" {
			state += " (" + d.CloseReason + ")"
		}
		fmt.Fprintf(w, "%d\t%d\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", d.Shard, d.ID, d.Provider, state, d.ProofsPassed, d.ProofsMissed,
			d.ProofsWrong, d.ReportsUpheld, d.CollateralLeft, d.SlashedToOwner+d.Burned)
	}
	return w.Flush()
}

func runStorageRepair(cmd *cobra.Command, args []string) error {
	u, _, err := storageUplink(cmd, uplink.DefaultConfig(), nil)
	if err != nil {
		return err
	}
	every, _ := cmd.Flags().GetDuration("every")
	ctx, stop := signalContext(cmd)
	defer stop()
	for {
		if len(args) == 1 {
			n, err := u.Repair(ctx, args[0])
			if err != nil && every == 0 {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "placed %d shards\n", n)
		} else {
			fmt.Fprintf(cmd.OutOrStdout(), "placed %d shards\n", u.RepairAny(ctx))
		}
		if every == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(every):
		}
	}
}

func runStorageProvider(cmd *cobra.Command, _ []string) error {
	from, _ := cmd.Flags().GetString("from")
	if from == "" {
		return errors.New("name the provider's key with --from")
	}
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	priv, err := txKey(cmd, from)
	if err != nil {
		return err
	}
	cfg := provider.DefaultConfig()
	fl := cmd.Flags()
	cfg.Dir, _ = fl.GetString("dir")
	if cfg.Dir == "" {
		cfg.Dir = filepath.Join(homeDir(cmd), "storage-provider")
	}
	cfg.Listen, _ = fl.GetString("listen")
	cfg.HostURI, _ = fl.GetString("host-uri")
	cfg.Poll, _ = fl.GetDuration("poll")
	capS, _ := fl.GetString("capacity")
	if cfg.Capacity, err = parseBytes(capS); err != nil {
		return err
	}
	price, _ := fl.GetString("price")
	if cfg.Price, err = denom.ParseAmount(price); err != nil {
		return err
	}
	if s, _ := fl.GetString("collateral"); s != "" {
		if cfg.Collateral, err = denom.ParseAmount(s); err != nil {
			return err
		}
	} else if cfg.Collateral, err = chainParam(cmd, c, market.MinCollateral.Name); err != nil {
		return err
	}
	adv, _ := fl.GetString("adversary")
	if cfg.Adversary, err = provider.ParseAdversary(adv); err != nil {
		return err
	}
	if cfg.Fee, err = txFee(cmd, c, denom); err != nil {
		return err
	}
	log := storageLogger(cmd)
	p, err := provider.New(cfg, priv, c, log)
	if err != nil {
		return err
	}
	defer p.Close()
	log.Info("storage provider", "address", p.Addr(), "url", p.URL(), "dir", cfg.Dir, "capacity", cfg.Capacity, "adversary", string(cfg.Adversary))
	fmt.Fprintf(cmd.OutOrStdout(), "storage provider %s serving %s\n", p.Addr(), p.URL())
	ctx, stop := signalContext(cmd)
	defer stop()
	return p.Run(ctx)
}

func runStorageFundRepair(cmd *cobra.Command, args []string) error {
	from, _ := cmd.Flags().GetString("from")
	if from == "" {
		return errors.New("name the owner's key with --from")
	}
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	amount, err := denom.ParseAmount(args[0])
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
	v, err := proto.Marshal(&storagev1.MsgSetRepairFund{Amount: amount})
	if err != nil {
		return err
	}
	if _, err := c.SignAndSend(cmd.Context(), priv, client.Tx{Fee: fee, Msgs: []*txv1.Msg{{Type: storage.TypeSetRepairFund, Value: v}}}); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "repair fund of %s: %s\n", from, denom.FormatAmount(amount))
	return nil
}
