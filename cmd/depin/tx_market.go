package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/client"
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/query"
	"github.com/depin-network/depin/internal/sig"
	creditv1 "github.com/depin-network/depin/proto/depin/credit/v1"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	txv1 "github.com/depin-network/depin/proto/depin/tx/v1"
)

// newTxMarketCmds builds the commands of this file; the root command adds them.
func newTxMarketCmds() []*cobra.Command {
	mk := &cobra.Command{Use: "market", Short: "Providers, orders, bids, leases and usage receipts of the open market"}
	provider := &cobra.Command{Use: "create-provider FROM", Short: "Register FROM as a provider with a host URI and attributes",
		Example: "  depin tx market create-provider prov --host-uri https://prov.example --attr region=eu,gpu=a100",
		Args:    cobra.ExactArgs(1), RunE: runCreateProvider}
	provider.Flags().String("host-uri", "", "where consumers reach the provider (required)")
	provider.Flags().String("attr", "", "self-declared attributes KEY=VALUE,KEY=VALUE")
	update := &cobra.Command{Use: "update-provider FROM", Short: "Replace provider FROM's host URI and self-declared attributes",
		Example: "  depin tx market update-provider prov --host-uri https://prov.example/v2 --attr region=us",
		Args:    cobra.ExactArgs(1), RunE: runUpdateProvider}
	update.Flags().String("host-uri", "", "where consumers reach the provider (required)")
	update.Flags().String("attr", "", "self-declared attributes KEY=VALUE,KEY=VALUE (replace the old ones)")
	auditor := &cobra.Command{Use: "set-auditor FROM AUDITOR", Short: "Add an auditor to the auditor set (params authority only)",
		Args: cobra.ExactArgs(2), RunE: runSetAuditor}
	auditor.Flags().Bool("remove", false, "remove the auditor instead")
	attest := &cobra.Command{Use: "attest FROM PROVIDER", Short: "Attest a provider's attributes as auditor FROM",
		Example: "  depin tx market attest auditor prov --attr gpu=a100", Args: cobra.ExactArgs(2), RunE: runAttest}
	attest.Flags().String("attr", "", "attested attributes KEY=VALUE,KEY=VALUE")
	order := &cobra.Command{Use: "create-order FROM", Short: "Open an order; the deposit moves into escrow",
		Example: "  depin tx market create-order alice --kind compute --quantity 4 --max-price 250upin --duration 3000 --deposit 5pin --attr region=eu",
		Args:    cobra.ExactArgs(1), RunE: runCreateOrder}
	of := order.Flags()
	of.String("kind", "", "network kind of the resource (compute, storage, relay ...)")
	of.Uint64("quantity", 1, "units wanted")
	of.String("max-price", "", "most paid per unit per block, e.g. 250upin")
	of.Uint64("duration", 0, "lease length in blocks")
	of.String("deposit", "", "escrow deposit, e.g. 5pin")
	of.String("attr", "", "required attributes KEY=VALUE,KEY=VALUE")
	of.String("all-of", "", "auditors that must all have attested the attributes (comma-separated)")
	of.String("any-of", "", "auditors of which one must have attested the attributes (comma-separated)")
	bid := &cobra.Command{Use: "bid FROM ORDER", Short: "Bid on an open order as provider FROM",
		Example: "  depin tx market bid prov 7 --price 200upin --collateral 0.5pin", Args: cobra.ExactArgs(2), RunE: runBid}
	bid.Flags().String("price", "", "price per unit per block, at most the order's maximum")
	bid.Flags().String("collateral", "", "collateral held while the bid is open or its lease runs (default: market.min_collateral)")
	closeBid := &cobra.Command{Use: "close-bid FROM ORDER", Short: "Withdraw FROM's open bid; its collateral is refunded", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("order", args[1])
			if err != nil {
				return err
			}
			return sendMarket(cmd, args[0], market.TypeCloseBid, &marketv1.MsgCloseBid{Order: id})
		}}
	accept := &cobra.Command{Use: "accept FROM ORDER PROVIDER", Short: "Accept a provider's bid on FROM's order: a lease starts",
		Args: cobra.ExactArgs(3), RunE: runAccept}
	deposit := &cobra.Command{Use: "deposit FROM LEASE AMOUNT", Short: "Add funds to an active lease's escrow (anyone may)",
		Example: "  depin tx market deposit bob 3 2pin", Args: cobra.ExactArgs(3), RunE: runDeposit}
	closeLease := &cobra.Command{Use: "close-lease FROM LEASE", Short: "Close a lease as its owner or provider; the rest is refunded to its depositors",
		Args: cobra.ExactArgs(2), RunE: runCloseLease}
	closeLease.Flags().String("reason", "", "close reason: a name (provider_unstable ...) or code; default owner_closed or provider_closed")
	closeOrder := &cobra.Command{Use: "close-order FROM ORDER", Short: "Close FROM's open order; deposit and bids' collateral are refunded",
		Args: cobra.ExactArgs(2), RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("order", args[1])
			if err != nil {
				return err
			}
			return sendMarket(cmd, args[0], market.TypeCloseOrder, &marketv1.MsgCloseOrder{Order: id})
		}}
	signReceipt := &cobra.Command{Use: "sign-receipt PAYER", Short: "Sign a usage receipt as consumer PAYER (offline) and print it as one JSON line",
		Example: "  depin tx market sign-receipt alice --provider prov --kind relay --units 1048576 --credits 40 --nonce 1 --period 10:20 >> receipts.jsonl",
		Args:    cobra.ExactArgs(1), RunE: runSignReceipt}
	sf := signReceipt.Flags()
	sf.String("provider", "", "the provider served (address or key name)")
	sf.Uint64("lease", 0, "the lease served (0: pay-per-use)")
	sf.String("kind", "", "network kind of the service")
	sf.Uint64("units", 0, "units delivered: bytes, GB-hours, readings, Wh, compute-seconds")
	sf.Uint64("credits", 0, "credits owed")
	sf.Uint64("nonce", 0, "receipt nonce, above the last one paid to this provider")
	sf.String("period", "", "service period START:END in block heights")
	sf.String("chain-id", "", "chain id (default: asked from --node)")
	submit := &cobra.Command{Use: "submit-receipts FROM FILE...", Short: "Submit signed receipts (JSON lines from sign-receipt) as provider FROM",
		Args: cobra.MinimumNArgs(2), RunE: runSubmitReceipts}
	mk.AddCommand(provider, update, auditor, attest, order, bid, closeBid, accept, deposit, closeLease, closeOrder, signReceipt, submit)

	credits := &cobra.Command{Use: "credits", Short: "Buy credits by burning PIN"}
	buy := &cobra.Command{Use: "buy FROM CREDITS", Short: "Burn credits × credit.price_upin from FROM and mint the credits to it or --beneficiary",
		Example: "  depin tx credits buy alice 10000 --beneficiary pin1...", Args: cobra.ExactArgs(2), RunE: runBuyCredits}
	buy.Flags().String("beneficiary", "", "account that receives the credits (default: FROM)")
	credits.AddCommand(buy)
	return []*cobra.Command{mk, credits}
}

// sendMarket signs and sends one message as key from.
func sendMarket(cmd *cobra.Command, from, typ string, m proto.Message) error {
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	v, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, from, &txv1.Msg{Type: typ, Value: v})
}

func parseID(what, s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%s id %q: want a positive number", what, s)
	}
	return n, nil
}

func parseAttrs(cmd *cobra.Command) ([]*marketv1.Attribute, error) {
	s, _ := cmd.Flags().GetString("attr")
	var out []*marketv1.Attribute
	for _, kv := range splitList(s) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("attribute %q: write KEY=VALUE", kv)
		}
		out = append(out, &marketv1.Attribute{Key: k, Value: v})
	}
	return out, nil
}

func runCreateProvider(cmd *cobra.Command, args []string) error {
	uri, _ := cmd.Flags().GetString("host-uri")
	if uri == "" {
		return fmt.Errorf("--host-uri is required")
	}
	attrs, err := parseAttrs(cmd)
	if err != nil {
		return err
	}
	return sendMarket(cmd, args[0], market.TypeCreateProvider, &marketv1.MsgCreateProvider{HostUri: uri, Attributes: attrs})
}

func runUpdateProvider(cmd *cobra.Command, args []string) error {
	uri, _ := cmd.Flags().GetString("host-uri")
	if uri == "" {
		return fmt.Errorf("--host-uri is required")
	}
	attrs, err := parseAttrs(cmd)
	if err != nil {
		return err
	}
	return sendMarket(cmd, args[0], market.TypeUpdateProvider, &marketv1.MsgUpdateProvider{HostUri: uri, Attributes: attrs})
}

func runSetAuditor(cmd *cobra.Command, args []string) error {
	a, err := resolveAddress(cmd, args[1])
	if err != nil {
		return fmt.Errorf("auditor: %w", err)
	}
	remove, _ := cmd.Flags().GetBool("remove")
	return sendMarket(cmd, args[0], market.TypeSetAuditor, &marketv1.MsgSetAuditor{Auditor: a[:], Remove: remove})
}

func runAttest(cmd *cobra.Command, args []string) error {
	p, err := resolveAddress(cmd, args[1])
	if err != nil {
		return fmt.Errorf("provider: %w", err)
	}
	attrs, err := parseAttrs(cmd)
	if err != nil {
		return err
	}
	return sendMarket(cmd, args[0], market.TypeAttest, &marketv1.MsgAttest{Provider: p[:], Attributes: attrs})
}

func runCreateOrder(cmd *cobra.Command, args []string) error {
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	f := cmd.Flags()
	kind, _ := f.GetString("kind")
	qty, _ := f.GetUint64("quantity")
	dur, _ := f.GetUint64("duration")
	ps, _ := f.GetString("max-price")
	ds, _ := f.GetString("deposit")
	if kind == "" || ps == "" || ds == "" || dur == 0 {
		return fmt.Errorf("--kind, --max-price, --duration and --deposit are required")
	}
	price, err := denom.ParseAmount(ps)
	if err != nil {
		return fmt.Errorf("--max-price: %w", err)
	}
	dep, err := denom.ParseAmount(ds)
	if err != nil {
		return fmt.Errorf("--deposit: %w", err)
	}
	attrs, err := parseAttrs(cmd)
	if err != nil {
		return err
	}
	req := &marketv1.Requirements{Attributes: attrs}
	for _, set := range []struct {
		flag string
		out  *[][]byte
	}{{"all-of", &req.AllOf}, {"any-of", &req.AnyOf}} {
		names, _ := f.GetString(set.flag)
		for _, n := range splitList(names) {
			a, err := resolveAddress(cmd, n)
			if err != nil {
				return fmt.Errorf("--%s: %w", set.flag, err)
			}
			*set.out = append(*set.out, a[:])
		}
	}
	v, err := proto.Marshal(&marketv1.MsgCreateOrder{Kind: kind, Quantity: qty, Requirements: req, MaxPrice: price, Duration: dur, Deposit: dep})
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, args[0], &txv1.Msg{Type: market.TypeCreateOrder, Value: v})
}

func runBid(cmd *cobra.Command, args []string) error {
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	id, err := parseID("order", args[1])
	if err != nil {
		return err
	}
	ps, _ := cmd.Flags().GetString("price")
	if ps == "" {
		return fmt.Errorf("--price is required")
	}
	price, err := denom.ParseAmount(ps)
	if err != nil {
		return fmt.Errorf("--price: %w", err)
	}
	collateral := market.MinCollateral.Default
	if cs, _ := cmd.Flags().GetString("collateral"); cs != "" {
		if collateral, err = denom.ParseAmount(cs); err != nil {
			return fmt.Errorf("--collateral: %w", err)
		}
	} else if v, err := chainParam(cmd, c, market.MinCollateral.Name); err == nil {
		collateral = v
	}
	v, err := proto.Marshal(&marketv1.MsgBid{Order: id, Price: price, Collateral: collateral})
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, args[0], &txv1.Msg{Type: market.TypeBid, Value: v})
}

func runAccept(cmd *cobra.Command, args []string) error {
	id, err := parseID("order", args[1])
	if err != nil {
		return err
	}
	p, err := resolveAddress(cmd, args[2])
	if err != nil {
		return fmt.Errorf("provider: %w", err)
	}
	return sendMarket(cmd, args[0], market.TypeAccept, &marketv1.MsgAccept{Order: id, Provider: p[:]})
}

func runDeposit(cmd *cobra.Command, args []string) error {
	c, denom, err := txSetup(cmd)
	if err != nil {
		return err
	}
	id, err := parseID("lease", args[1])
	if err != nil {
		return err
	}
	amount, err := denom.ParseAmount(args[2])
	if err != nil {
		return err
	}
	v, err := proto.Marshal(&marketv1.MsgDeposit{Lease: id, Amount: amount})
	if err != nil {
		return err
	}
	return txSend(cmd, c, denom, args[0], &txv1.Msg{Type: market.TypeDeposit, Value: v})
}

// parseReason reads a close reason by name or code.
func parseReason(s string) (uint32, error) {
	if s == "" {
		return 0, nil
	}
	for _, r := range market.Reasons {
		if r.Name == s {
			return r.Code, nil
		}
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("close reason %q: want a name (owner_closed, provider_unstable ...) or a code", s)
	}
	return uint32(n), nil
}

func runCloseLease(cmd *cobra.Command, args []string) error {
	id, err := parseID("lease", args[1])
	if err != nil {
		return err
	}
	rs, _ := cmd.Flags().GetString("reason")
	reason, err := parseReason(rs)
	if err != nil {
		return err
	}
	return sendMarket(cmd, args[0], market.TypeCloseLease, &marketv1.MsgCloseLease{Lease: id, Reason: reason})
}

// receiptLine is one signed receipt in a receipts file: hex fields.
type receiptLine struct {
	Receipt   string `json:"receipt"`
	PubKey    string `json:"pub_key"`
	Signature string `json:"signature"`
}

func runSignReceipt(cmd *cobra.Command, args []string) error {
	f := cmd.Flags()
	priv, err := txKey(cmd, args[0])
	if err != nil {
		return err
	}
	ps, _ := f.GetString("provider")
	prov, err := resolveAddress(cmd, ps)
	if err != nil {
		return fmt.Errorf("--provider: %w", err)
	}
	chainID, _ := f.GetString("chain-id")
	if chainID == "" {
		c, err := nodeClient(cmd)
		if err != nil {
			return err
		}
		st, err := c.Status(cmd.Context())
		if err != nil {
			return err
		}
		chainID = st.ChainID
	}
	per, _ := f.GetString("period")
	a, b, ok := strings.Cut(per, ":")
	start, err1 := strconv.ParseInt(a, 10, 64)
	end, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return fmt.Errorf("--period %q: write START:END heights", per)
	}
	r := &marketv1.Receipt{ChainId: chainID, Provider: prov[:], PeriodStart: start, PeriodEnd: end}
	payer := ledger.AddressOf(sig.PublicOf(priv))
	r.Payer = payer[:]
	r.Lease, _ = f.GetUint64("lease")
	r.Kind, _ = f.GetString("kind")
	r.Units, _ = f.GetUint64("units")
	r.Credits, _ = f.GetUint64("credits")
	r.Nonce, _ = f.GetUint64("nonce")
	sr := market.SignReceipt(priv, r)
	if _, e := market.DecodeReceipt(sr.Receipt); e != nil {
		return fmt.Errorf("receipt: %s", e.Msg)
	}
	return json.NewEncoder(cmd.OutOrStdout()).Encode(receiptLine{Receipt: hex.EncodeToString(sr.Receipt),
		PubKey: hex.EncodeToString(sr.PubKey), Signature: hex.EncodeToString(sr.Signature)})
}

// readReceipts reads JSON lines of signed receipts.
func readReceipts(path string) ([]*marketv1.SignedReceipt, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var out []*marketv1.SignedReceipt
	sc := bufio.NewScanner(fh)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var rl receiptLine
		if err := json.Unmarshal([]byte(line), &rl); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		var sr marketv1.SignedReceipt
		var e1, e2, e3 error
		sr.Receipt, e1 = hex.DecodeString(rl.Receipt)
		sr.PubKey, e2 = hex.DecodeString(rl.PubKey)
		sr.Signature, e3 = hex.DecodeString(rl.Signature)
		if e1 != nil || e2 != nil || e3 != nil {
			return nil, fmt.Errorf("%s:%d: receipt, pub_key and signature must be hex", path, n)
		}
		out = append(out, &sr)
	}
	return out, sc.Err()
}

func runSubmitReceipts(cmd *cobra.Command, args []string) error {
	m := &marketv1.MsgSubmitReceipts{}
	for _, p := range args[1:] {
		rs, err := readReceipts(p)
		if err != nil {
			return err
		}
		m.Receipts = append(m.Receipts, rs...)
	}
	if len(m.Receipts) == 0 {
		return fmt.Errorf("no receipts in %s", strings.Join(args[1:], ", "))
	}
	return sendMarket(cmd, args[0], market.TypeSubmitReceipts, m)
}

func runBuyCredits(cmd *cobra.Command, args []string) error {
	n, err := strconv.ParseUint(args[1], 10, 64)
	if err != nil || n == 0 {
		return fmt.Errorf("credits %q: want a positive number", args[1])
	}
	m := &creditv1.MsgBuy{Credits: n}
	if s, _ := cmd.Flags().GetString("beneficiary"); s != "" {
		a, err := resolveAddress(cmd, s)
		if err != nil {
			return fmt.Errorf("--beneficiary: %w", err)
		}
		m.Beneficiary = a[:]
	}
	return sendMarket(cmd, args[0], credit.TypeBuy, m)
}

// chainParam reads a parameter's current value from the node.
func chainParam(cmd *cobra.Command, c *client.Client, name string) (uint64, error) {
	var ps query.Params
	if err := c.Query(cmd.Context(), "/params", &ps); err != nil {
		return 0, err
	}
	v, ok := ps.Value(name)
	if !ok {
		return 0, fmt.Errorf("the node has no %s parameter", name)
	}
	return v, nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
