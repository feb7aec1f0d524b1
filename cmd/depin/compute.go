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
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	acompute "github.com/depin-network/depin/agent/compute"
	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/compute"
	kcompute "github.com/depin-network/depin/internal/kind/compute"
	"github.com/depin-network/depin/internal/sim/computesim"
)

// newComputeCmds builds depin compute: submit, status, get, register,
// provider and verifier (docs/compute.md).
func newComputeCmds() []*cobra.Command {
	cc := &cobra.Command{Use: "compute", Short: "Render scenes or hash data on the network's compute providers, or be one"}
	pf := cc.PersistentFlags()
	pf.String("node", client.DefaultNode, "CometBFT RPC address of the node")
	pf.String("from", "", "key that signs (the consumer, provider or verifier)")
	pf.String("fee", "", "transaction fee, e.g. 1000upin (default: the chain's bank.min_fee)")
	pf.String("passphrase-file", "", "read the keyring passphrase from the first line of this file")

	submit := &cobra.Command{Use: "submit FILE", Short: "Submit a render job (FILE is a scene) or a hash job (--type hash), wait for it and write its output",
		Example: "  depin compute submit scene.json --tiles 64 --from alice --out image.png",
		Args:    cobra.ExactArgs(1), RunE: runComputeSubmit}
	f := submit.Flags()
	f.String("type", kcompute.TypeRender, "job type: render (FILE is a scene) or hash (FILE is data)")
	f.Int("tiles", 16, "tasks to split the job into (tiles of the image)")
	f.Int("rounds", 1, "SHA-256 iterations per block (hash jobs)")
	f.Int("replicas", 2, "providers per task")
	f.Uint64("price", 1_000, "upin per accepted task result and per verification")
	f.String("out", "", "file to write when the job is done (default: FILE's name with .png, or .hashes for a hash job)")
	f.Bool("no-wait", false, "submit and print the job id without waiting for the output")
	f.Duration("timeout", 10*time.Minute, "how long to wait for the job")

	status := &cobra.Command{Use: "status JOB", Short: "Show a job and its tasks", Args: cobra.ExactArgs(1), RunE: runComputeStatus}
	get := &cobra.Command{Use: "get JOB", Short: "Download a finished job's results from its providers, check them and write the output",
		Args: cobra.ExactArgs(1), RunE: runComputeGet}
	get.Flags().String("out", "", "file to write (required)")

	register := &cobra.Command{Use: "register", Short: "Bond upin as a compute provider (--from must be a market provider)",
		Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := computeWallet(cmd)
			if err != nil {
				return err
			}
			bond, _ := cmd.Flags().GetUint64("bond")
			m, err := acompute.RegisterMsg(bond)
			if err != nil {
				return err
			}
			return w.Send(cmd.Context(), m)
		}}
	register.Flags().Uint64("bond", compute.MinBond.Default, "upin to bond")

	provider := &cobra.Command{Use: "provider", Short: "Run a compute provider: take assigned tasks, commit, reveal and serve results",
		Args: cobra.NoArgs, RunE: runComputeProvider}
	provider.Flags().String("listen", "127.0.0.1:9300", "address serving results (the market provider's host URI must reach it)")
	provider.Flags().String("mode", "honest", "honest, or for simulations wrong (corrupt results) or lazy (copy others)")
	provider.Flags().Duration("every", time.Second, "how often to look for tasks")
	verifier := &cobra.Command{Use: "verifier", Short: "Run a verifier: re-execute the tasks the chain samples for it",
		Args: cobra.NoArgs, RunE: runComputeVerifier}
	verifier.Flags().Duration("every", time.Second, "how often to look for tasks")
	cc.AddCommand(submit, status, get, register, provider, verifier)
	return []*cobra.Command{cc}
}

// computeWallet is the --from key as an agent/compute Chain.
func computeWallet(cmd *cobra.Command) (*computesim.Wallet, error) {
	from, _ := cmd.Flags().GetString("from")
	if from == "" {
		return nil, errors.New("--from is required")
	}
	c, denom, err := txSetup(cmd)
	if err != nil {
		return nil, err
	}
	priv, err := txKey(cmd, from)
	if err != nil {
		return nil, err
	}
	fee, err := txFee(cmd, c, denom)
	if err != nil {
		return nil, err
	}
	return &computesim.Wallet{Client: c, Key: priv, Fee: fee}, nil
}

func runComputeSubmit(cmd *cobra.Command, args []string) error {
	input, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	w, err := computeWallet(cmd)
	if err != nil {
		return err
	}
	f := cmd.Flags()
	typ, _ := f.GetString("type")
	tiles, _ := f.GetInt("tiles")
	rounds, _ := f.GetInt("rounds")
	replicas, _ := f.GetInt("replicas")
	price, _ := f.GetUint64("price")
	if typ == kcompute.TypeRender {
		rounds = 0
	}
	cons := &acompute.Consumer{Chain: w, Addr: w.Addr(), HTTP: &http.Client{Timeout: 30 * time.Second}}
	id, err := cons.Submit(cmd.Context(), acompute.Job{Type: typ, Input: input, Tasks: tiles, Rounds: rounds, Replicas: replicas, Price: price})
	if err != nil {
		return err
	}
	if noWait, _ := f.GetBool("no-wait"); noWait {
		return printComputeResult(cmd, map[string]any{"job": strconv.FormatUint(id, 10)}, fmt.Sprintf("job %d submitted", id))
	}
	out, _ := f.GetString("out")
	if out == "" {
		ext := ".png"
		if typ != kcompute.TypeRender {
			ext = ".hashes"
		}
		out = strings.TrimSuffix(filepath.Base(args[0]), filepath.Ext(args[0])) + ext
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "job %d submitted; waiting for its %d tasks\n", id, tiles)
	timeout, _ := f.GetDuration("timeout")
	ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
	defer cancel()
	j, err := cons.Wait(ctx, id, time.Second)
	if err != nil {
		return err
	}
	if j.State != "done" {
		return fmt.Errorf("job %d %s: %d tasks done, %d failed", id, j.State, j.Done, j.Failed)
	}
	return writeComputeOutput(cmd, cons, id, out)
}

func writeComputeOutput(cmd *cobra.Command, cons *acompute.Consumer, id uint64, out string) error {
	b, err := cons.Get(cmd.Context(), id)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	return printComputeResult(cmd, map[string]any{"job": strconv.FormatUint(id, 10), "out": out, "bytes": len(b)},
		fmt.Sprintf("job %d: wrote %s (%d bytes)", id, out, len(b)))
}

func printComputeResult(cmd *cobra.Command, v any, text string) error {
	if outputJSON(cmd) {
		return printJSON(cmd, v)
	}
	_, err := fmt.Fprintln(cmd.OutOrStdout(), text)
	return err
}

func runComputeStatus(cmd *cobra.Command, args []string) error {
	id, err := parseID("job", args[0])
	if err != nil {
		return err
	}
	c, err := nodeClient(cmd)
	if err != nil {
		return err
	}
	var j compute.JobView
	if err := c.Query(cmd.Context(), fmt.Sprintf("compute/jobs/%d", id), &j); err != nil {
		return err
	}
	var ts struct {
		Tasks []compute.TaskView `json:"tasks"`
	}
	if err := c.Query(cmd.Context(), fmt.Sprintf("compute/jobs/%d/tasks", id), &ts); err != nil {
		return err
	}
	if outputJSON(cmd) {
		return printJSON(cmd, map[string]any{"job": j, "tasks": ts.Tasks})
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "job %d (%s, %d tasks × %d replicas): %s, %d done, %d failed; paid %d, refunded %d, slashed in %d\n\n",
		j.ID, j.Type, j.Tasks, j.Replicas, j.State, j.Done, j.Failed, j.Paid, j.Refunded, j.SlashedIn)
	fmt.Fprintln(tw, "TASK\tROUND\tSTATE\tSAMPLED\tRESOLUTION\tSLOTS")
	for _, t := range ts.Tasks {
		slots := ""
		for _, s := range t.Slots {
			slots += fmt.Sprintf("%s…:%s ", s.Provider[:12], s.State)
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%v\t%s\t%s\n", t.Index, t.Round, t.State, t.Sampled, t.Resolution, slots)
	}
	return tw.Flush()
}

func runComputeGet(cmd *cobra.Command, args []string) error {
	id, err := parseID("job", args[0])
	if err != nil {
		return err
	}
	out, _ := cmd.Flags().GetString("out")
	if out == "" {
		return errors.New("--out is required")
	}
	c, err := nodeClient(cmd)
	if err != nil {
		return err
	}
	cons := &acompute.Consumer{Chain: &computesim.Wallet{Client: c}, HTTP: &http.Client{Timeout: 30 * time.Second}}
	return writeComputeOutput(cmd, cons, id, out)
}

func runComputeProvider(cmd *cobra.Command, _ []string) error {
	w, err := computeWallet(cmd)
	if err != nil {
		return err
	}
	modeName, _ := cmd.Flags().GetString("mode")
	mode, err := acompute.ParseMode(modeName)
	if err != nil {
		return err
	}
	listen, _ := cmd.Flags().GetString("listen")
	every, _ := cmd.Flags().GetDuration("every")
	log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil)).With("service", "compute-provider", "mode", modeName)
	p := &acompute.Provider{Chain: w, Addr: w.Addr(), Mode: mode, Log: log}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	log.Info("serving results", "addr", ln.Addr().String(), "provider", w.Addr().String())
	return loop(cmd.Context(), every, func(ctx context.Context) {
		if n, err := p.Step(ctx); err != nil {
			log.Warn("step", "err", err)
		} else if n > 0 {
			log.Info("sent", "messages", n)
		}
	})
}

func runComputeVerifier(cmd *cobra.Command, _ []string) error {
	w, err := computeWallet(cmd)
	if err != nil {
		return err
	}
	every, _ := cmd.Flags().GetDuration("every")
	log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil)).With("service", "compute-verifier")
	v := &acompute.Verifier{Chain: w, Addr: w.Addr()}
	return loop(cmd.Context(), every, func(ctx context.Context) {
		if n, err := v.Step(ctx); err != nil {
			log.Warn("step", "err", err)
		} else if n > 0 {
			log.Info("verified", "tasks", n)
		}
	})
}

// loop runs fn every interval until ctx ends.
func loop(ctx context.Context, every time.Duration, fn func(context.Context)) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		fn(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// newQueryComputeCmds builds depin query compute ... and depin query relay ...
func newQueryComputeCmds() []*cobra.Command {
	q := &cobra.Command{Use: "compute", Short: "Query compute jobs, tasks, providers, verifiers and verified work"}
	raw := func(use, short string, nargs int, path func(args []string) string) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(nargs), RunE: func(cmd *cobra.Command, args []string) error {
			return runQuery(cmd, path(args), func(w *tabwriter.Writer, v *map[string]any) { printTree(w, "", *v) })
		}}
	}
	q.AddCommand(
		raw("jobs", "List jobs", 0, func([]string) string { return "compute/jobs" }),
		raw("job JOB", "Show a job", 1, func(a []string) string { return "compute/jobs/" + a[0] }),
		raw("tasks JOB", "A job's tasks with their slots, commitments, reveals and verifications", 1, func(a []string) string { return "compute/jobs/" + a[0] + "/tasks" }),
		raw("task JOB INDEX", "One task", 2, func(a []string) string { return "compute/jobs/" + a[0] + "/tasks/" + a[1] }),
		raw("providers", "Compute providers with bond, work, slashes", 0, func([]string) string { return "compute/providers" }),
		raw("verifiers", "The verifier set", 0, func([]string) string { return "compute/verifiers" }),
		raw("verifications ADDRESS", "Tasks waiting for a verifier", 1, func(a []string) string { return "compute/verifiers/" + a[0] + "/tasks" }),
		raw("work EPOCH", "Verified work per provider in an epoch", 1, func(a []string) string { return "compute/work/" + a[0] }),
	)
	r := &cobra.Command{Use: "relay", Short: "Query relays and consumer channels (the latest paid receipt per consumer)"}
	r.AddCommand(
		raw("relays", "Relays with bytes and earnings", 0, func([]string) string { return "relay/relays" }),
		raw("channels", "Channels: price, balance, bytes of the latest paid receipt", 0, func([]string) string { return "relay/channels" }),
		raw("channel CONSUMER RELAY", "One channel", 2, func(a []string) string { return "relay/channels/" + a[0] + "/" + a[1] }),
		raw("bytes EPOCH", "Bytes paid per relay in an epoch", 1, func(a []string) string { return "relay/bytes/" + a[0] }),
	)
	return []*cobra.Command{q, r}
}

// printTree prints a decoded JSON answer as indented key: value lines.
func printTree(w *tabwriter.Writer, indent string, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sortStrings(keys)
		for _, k := range keys {
			switch x[k].(type) {
			case map[string]any, []any:
				fmt.Fprintf(w, "%s%s:\n", indent, k)
				printTree(w, indent+"  ", x[k])
			default:
				fmt.Fprintf(w, "%s%s:\t%v\n", indent, k, x[k])
			}
		}
	case []any:
		for i, e := range x {
			fmt.Fprintf(w, "%s- [%d]\n", indent, i)
			printTree(w, indent+"  ", e)
		}
	default:
		fmt.Fprintf(w, "%s%v\n", indent, x)
	}
}

func sortStrings(s []string) { slices.Sort(s) }
