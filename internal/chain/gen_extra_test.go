package chain_test

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/depin-network/depin/internal/compute"
	"github.com/depin-network/depin/internal/credit"
	"github.com/depin-network/depin/internal/dataaccess"
	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/energy"
	"github.com/depin-network/depin/internal/gov"
	kenergy "github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/kind/sensor"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/market"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/proof"
	"github.com/depin-network/depin/internal/relay"
	"github.com/depin-network/depin/internal/reward"
	"github.com/depin-network/depin/internal/stake"
	"github.com/depin-network/depin/internal/storage"
	computev1 "github.com/depin-network/depin/proto/depin/compute/v1"
	creditv1 "github.com/depin-network/depin/proto/depin/credit/v1"
	datav1 "github.com/depin-network/depin/proto/depin/data/v1"
	devicev1 "github.com/depin-network/depin/proto/depin/device/v1"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
	govv1 "github.com/depin-network/depin/proto/depin/gov/v1"
	kenergyv1 "github.com/depin-network/depin/proto/depin/kind/energy/v1"
	marketv1 "github.com/depin-network/depin/proto/depin/market/v1"
	proofv1 "github.com/depin-network/depin/proto/depin/proof/v1"
	relayv1 "github.com/depin-network/depin/proto/depin/relay/v1"
	rewardv1 "github.com/depin-network/depin/proto/depin/reward/v1"
	stakev1 "github.com/depin-network/depin/proto/depin/stake/v1"
)

// The generator's second phase: after the random txs and the storage txs
// of a block, dedicated actors walk the life cycles the random phase
// reaches rarely or never (data access grants, relay channels with
// receipts and tickets, a validator that jails itself and unjails, an
// oracle that settles epochs and a claimer that claims from them, two
// households trading energy every interval, whose certificates the buyer
// retires), the
// authority sends its rare messages when it has not signed yet, and one
// funded account sends a refusal from a fixed list, so that every message
// type is accepted and refused in every standard run (tally.checkTypes).
//
// Choices follow from the height and committed state, not from the
// random stream. The dedicated
// actors are funded at genesis and never picked by the random phase; each
// actor acts only in blocks where its counterpart does not (data owner on
// even heights, grantee on odd; relay consumer every third height), so a
// prediction reads only state no earlier tx of the block changes. The
// oracle's submission goes last: a settlement pays many accounts.

// Dedicated actors.
const (
	dataOwner  = "x-data-owner"
	dataUser   = "x-data-user"
	relayOp    = "x-relay-op"
	relayUser  = "x-relay-user"
	valOpA     = "x-valop-a"
	valOpB     = "x-valop-b"
	genOracle  = "x-oracle"
	claimer    = "x-claimer"
	auditor    = "x-auditor"
	denyTarget = "x-deny-owner"
	solarOwner = "x-solar"
	loadOwner  = "x-load"
	buyer      = "x-buyer"
	seller     = "x-seller"
)

var extraActors = []string{dataOwner, dataUser, relayOp, relayUser, valOpA, valOpB, genOracle, claimer, auditor, denyTarget, solarOwner, loadOwner, buyer, seller}

// genOracleWeight is the genesis oracle's weight: the maximum, so that it
// holds the quorum whatever oracles the random phase adds (at most 32 of
// weight up to 1000).
const genOracleWeight = 1_000_000

// genEpochBlocks and genGrace make epochs end and settle within a run.
const (
	genEpochBlocks = 40
	genGrace       = 3
)

// extraTxs plans the second phase of a block.
func (g *gen) extraTxs() []planned {
	var out []planned
	add := func(p planned, ok bool) {
		if ok {
			out = append(out, p)
		}
	}
	h := g.height()
	if auth := params.Authority(g.st); !g.used[auth] {
		if name, ok := g.keys[auth]; ok {
			if p, ok := g.authorityExtra(name); ok {
				g.used[auth] = true
				out = append(out, p)
			}
		}
	}
	if h%2 == 0 {
		add(g.dataOwnerTx())
	} else {
		add(g.dataUserTx())
	}
	if h%3 == 0 {
		add(g.relayUserTx())
	} else {
		add(g.relayOpTx())
	}
	switch {
	case !g.staking:
	case h%3 == 1:
		add(g.valOpTx(valOpA))
	case h%3 == 2:
		add(g.valOpTx(valOpB))
	}
	add(g.denyTargetTx())
	add(g.energyActorTx(solarOwner, true))
	add(g.energyActorTx(loadOwner, false))
	switch h % 4 {
	case 0:
		add(g.buyerTx())
	case 2:
		add(g.sellerTx())
	}
	add(g.auditorTx())
	add(g.claimTx())
	add(g.closeBidTx())
	add(g.refusal())
	// Work the random phase left to funded accounts that have not signed:
	// a compute step due now, a job, an unbond, a certificate to retire.
	for _, name := range g.funded {
		if g.used[addrFor(name)] || slices.Contains(g.admins, name) {
			continue
		}
		if p, ok := g.dueWork(name); ok {
			g.used[addrFor(name)] = true
			out = append(out, p)
		}
	}
	add(g.submitRootTx()) // last: a settlement pays many accounts
	return out
}

// txNoDraw signs msgs as name like tx, without a memo: it draws nothing
// from the random stream.
func (g *gen) txNoDraw(name string, msgs ...msg) []byte {
	return buildTx(keyFor(name), txOpts{chainID: g.chainID, seq: g.seqOf(name), fee: genFee}, msgs...)
}

func (g *gen) okTx(name, label string, msgs ...msg) (planned, bool) {
	return planned{raw: g.txNoDraw(name, msgs...), want: ledger.CodeOK, label: label}, true
}

func (g *gen) badTx(name, label string, code ledger.Code, msgs ...msg) (planned, bool) {
	return planned{raw: g.txNoDraw(name, msgs...), want: code, label: "bad:" + label}, true
}

// authorityExtra plans one of the authority's rare messages.
func (g *gen) authorityExtra(name string) (planned, bool) {
	h := g.height()
	switch h % 7 {
	case 6:
		next := g.admins[int(h/7)%len(g.admins)]
		if next == name {
			next = g.admins[(int(h/7)+1)%len(g.admins)]
		}
		a := addrFor(next)
		return g.okTx(name, "params/set-authority", setAuthorityMsg(a[:]))
	case 0:
		// Two verifiers, both funded accounts the random phase signs for
		// (computeValid answers verifications).
		for _, v := range g.verifierCandidates() {
			if a := addrFor(v); !compute.IsVerifier(g.st, a) {
				return g.okTx(name, compute.TypeSetVerifier, marketMsg(compute.TypeSetVerifier, &computev1.MsgSetVerifier{Verifier: a[:]}))
			}
		}
		ghost := addrFor(g.fresh("ghost-verifier"))
		return g.badTx(name, "unknown_verifier", compute.CodeUnknownVerifier, marketMsg(compute.TypeSetVerifier, &computev1.MsgSetVerifier{Verifier: ghost[:], Remove: true}))
	case 1:
		ds, _ := g.devices(denyTarget)
		if len(ds) == 0 {
			return planned{}, false
		}
		_, denied := device.Denied(g.st, ledger.Address(ds[0].Id))
		m := &devicev1.MsgSetDenied{Device: ds[0].Id, Denied: !denied}
		if !denied {
			m.Reason = "generator"
		}
		if h%12 == 7 {
			// The same state again: refused.
			m = &devicev1.MsgSetDenied{Device: ds[0].Id, Denied: denied}
			if denied {
				m.Reason = "again"
			}
			return g.badTx(name, "deny_unchanged", device.CodeDenyUnchanged, msg{device.TypeSetDenied, mustMarshal(m)})
		}
		return g.okTx(name, device.TypeSetDenied, msg{device.TypeSetDenied, mustMarshal(m)})
	case 2:
		a := addrFor(auditor)
		return g.okTx(name, market.TypeSetAuditor, marketMsg(market.TypeSetAuditor, &marketv1.MsgSetAuditor{Auditor: a[:]}))
	case 3:
		// Add the candidates back one by one, then remove one.
		for _, c := range g.operatorCandidates() {
			if a := addrFor(c); !proof.IsOperator(g.st, a) && uint64(len(proof.Operators(g.st))) < params.Get(g.st, proof.MaxOperators) && h%2 == 0 {
				return g.okTx(name, "proof/add-operator", msg{proof.TypeAddOperator, mustMarshal(&proofv1.MsgAddOperator{Operator: a[:]})})
			}
		}
		for _, c := range g.operatorCandidates() {
			if a := addrFor(c); proof.IsOperator(g.st, a) {
				return g.okTx(name, proof.TypeRemoveOperator, msg{proof.TypeRemoveOperator, mustMarshal(&proofv1.MsgRemoveOperator{Operator: a[:]})})
			}
		}
		ghost := addrFor(g.fresh("ghost-operator"))
		return g.badTx(name, "unknown_operator", proof.CodeUnknownOperator, msg{proof.TypeRemoveOperator, mustMarshal(&proofv1.MsgRemoveOperator{Operator: ghost[:]})})
	case 4:
		for _, o := range reward.Oracles(g.st) {
			if a := addrOf(o.Address); a != addrFor(genOracle) {
				return g.okTx(name, reward.TypeRemoveOracle, msg{reward.TypeRemoveOracle, mustMarshal(&rewardv1.MsgRemoveOracle{Oracle: a[:]})})
			}
		}
		ghost := addrFor(g.fresh("ghost-oracle"))
		if h%2 == 0 {
			return g.okTx(name, "reward/set-oracle", msg{reward.TypeSetOracle, mustMarshal(&rewardv1.MsgSetOracle{Oracle: ghost[:], Weight: 1 + uint64(h%1000)})})
		}
		return g.badTx(name, "unknown_oracle", reward.CodeUnknownOracle, msg{reward.TypeRemoveOracle, mustMarshal(&rewardv1.MsgRemoveOracle{Oracle: ghost[:]})})
	default:
		return g.okTx(name, reward.TypeSetPools, msg{reward.TypeSetPools, mustMarshal(&rewardv1.MsgSetPools{Pools: reward.PoolsToProto(reward.Pools(g.st))})})
	}
}

// verifierCandidates are the funded accounts the authority makes compute
// verifiers: the last two, never operators or genesis validators.
func (g *gen) verifierCandidates() []string {
	if len(g.funded) < 6 {
		return nil
	}
	return g.funded[len(g.funded)-2:]
}

// sensorAttrs are the attributes of the data owner's weather station.
func sensorAttrs() []byte {
	return sensor.EncodeAttributes("gen-ws", sensor.ClassStation, []string{"humidity", "temperature"}, nil)
}

func (g *gen) dataDevice() *devicev1.Device {
	ds, _ := g.devices(dataOwner)
	for _, d := range ds {
		if d.Kind == sensor.Name && d.Location != nil {
			return d
		}
	}
	return nil
}

// dataOwnerTx: onboard a station, then grant (free or priced), revoke,
// and the owner's refusals.
func (g *gen) dataOwnerTx() (planned, bool) {
	h := g.height()
	d := g.dataDevice()
	if d == nil {
		dev := g.fresh("station")
		id := addrFor(dev)
		cell := g.cells[int(h)%len(g.cells)]
		return g.okTx(dataOwner, "data/onboard-station", g.onboardMsg("acme", dev, sensor.Name, fmt.Sprintf("WS-%d", g.counter), dataOwner),
			assertAttrsMsg(id[:], cell, sensorAttrs()))
	}
	user := addrFor(dataUser)
	grants := dataaccess.DeviceGrants(g.st, ledger.Address(d.Id))
	grant := func(price uint64, nb, na int64) *datav1.MsgGrant {
		return &datav1.MsgGrant{Device: d.Id, Grantee: user[:], Channels: []string{"temperature"}, NotBefore: nb, NotAfter: na, Price: price}
	}
	switch (h / 2) % 6 {
	case 0, 1:
		price := uint64(0)
		if (h/2)%6 == 1 {
			price = 10_000 + uint64(h)
		}
		return g.okTx(dataOwner, dataaccess.TypeGrant, msg{dataaccess.TypeGrant, mustMarshal(grant(price, h, h+30+h%50))})
	case 2, 3:
		for _, gr := range grants {
			if gr.Status == datav1.Status_STATUS_ACTIVE || gr.Status == datav1.Status_STATUS_PENDING {
				return g.okTx(dataOwner, dataaccess.TypeRevoke, msg{dataaccess.TypeRevoke, mustMarshal(&datav1.MsgRevoke{Id: gr.Id})})
			}
		}
	case 4:
		self := addrFor(dataOwner)
		m := grant(0, h, h+40)
		m.Grantee = self[:]
		return g.badTx(dataOwner, "self_grant", dataaccess.CodeSelfGrant, msg{dataaccess.TypeGrant, mustMarshal(m)})
	}
	for _, gr := range grants {
		if gr.Status == datav1.Status_STATUS_REVOKED || gr.Status == datav1.Status_STATUS_EXPIRED {
			return g.badTx(dataOwner, "grant_closed", dataaccess.CodeClosed, msg{dataaccess.TypeRevoke, mustMarshal(&datav1.MsgRevoke{Id: gr.Id})})
		}
	}
	return g.badTx(dataOwner, "bad_window", dataaccess.CodeBadWindow, msg{dataaccess.TypeGrant, mustMarshal(grant(0, h+10, h+5))})
}

// dataUserTx: accept a pending grant, or refuse one that is not.
func (g *gen) dataUserTx() (planned, bool) {
	h := g.height()
	grants := dataaccess.GranteeGrants(g.st, addrFor(dataUser))
	for _, gr := range grants {
		if gr.Status == datav1.Status_STATUS_PENDING && gr.NotAfter > h {
			return g.okTx(dataUser, dataaccess.TypeAccept, msg{dataaccess.TypeAccept, mustMarshal(&datav1.MsgAccept{Id: gr.Id})})
		}
	}
	for _, gr := range grants {
		if gr.Status == datav1.Status_STATUS_ACTIVE {
			return g.badTx(dataUser, "grant_not_pending", dataaccess.CodeNotPending, msg{dataaccess.TypeAccept, mustMarshal(&datav1.MsgAccept{Id: gr.Id})})
		}
	}
	return planned{}, false
}

// relayOpTx: become a provider and a relay, then claim receipts and
// redeem tickets of the relay consumer's channel.
func (g *gen) relayOpTx() (planned, bool) {
	me, ua := addrFor(relayOp), addrFor(relayUser)
	if !g.isProvider(relayOp) {
		return g.okTx(relayOp, market.TypeCreateProvider, marketMsg(market.TypeCreateProvider, &marketv1.MsgCreateProvider{HostUri: "https://relay.example"}))
	}
	if _, ok := relay.GetRelay(g.st, me); !ok {
		return g.okTx(relayOp, relay.TypeRegister, marketMsg(relay.TypeRegister, &relayv1.MsgRegister{HostUri: "https://relay.example"}))
	}
	h := g.height()
	ch, found := relay.GetChannel(g.st, ua, me)
	if !found || ch.CloseHeight != 0 || ch.Balance < 2 {
		return g.okTx(relayOp, market.TypeUpdateProvider, marketMsg(market.TypeUpdateProvider, &marketv1.MsgUpdateProvider{
			HostUri: fmt.Sprintf("https://relay.example/v%d", h)}))
	}
	if h%2 == 0 {
		n := ch.Bytes + 1 + uint64(h%7)*relay.MiB/4
		if cost, _ := relay.Cost(n, ch.Price); cost <= ch.Balance+mustCost(ch.Bytes, ch.Price) {
			sr := relay.SignReceipt(keyFor(relayUser), &relayv1.Receipt{ChainId: g.chainID, Consumer: ua[:], Relay: me[:], Bytes: n, Generation: ch.Generation})
			return g.okTx(relayOp, relay.TypeClaim, marketMsg(relay.TypeClaim, &relayv1.MsgClaim{Receipt: sr}))
		}
	}
	// A ticket that wins half the time, for the channel's next nonce, or
	// one replaying the last redeemed nonce.
	rand := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("gen relay rand"), uint64(h)))
	rh := relay.RandHash(rand[:])
	winProb := uint64(1) << 63
	face, _ := relay.FaceValue(ch.Price, winProb)
	nonce := ch.TicketNonce + 1
	if h%5 == 0 && ch.TicketNonce > 0 {
		nonce = ch.TicketNonce
	}
	st := relay.SignTicket(keyFor(relayUser), &relayv1.Ticket{ChainId: g.chainID, Consumer: ua[:], Relay: me[:], FaceValue: face, WinProb: winProb,
		Nonce: nonce, RecipientRandHash: rh[:]})
	m := marketMsg(relay.TypeRedeem, &relayv1.MsgRedeem{Ticket: st, RecipientRand: rand[:]})
	switch {
	case nonce <= ch.TicketNonce:
		return g.badTx(relayOp, "ticket_replayed", relay.CodeTicketReplayed, m)
	case !relay.Wins(st.Signature, rand[:], winProb):
		return g.badTx(relayOp, "ticket_lost", relay.CodeTicketLost, m)
	}
	return g.okTx(relayOp, relay.TypeRedeem, m)
}

// relayUserTx: open or top up the channel with the relay, close it now
// and then.
func (g *gen) relayUserTx() (planned, bool) {
	me, ra := addrFor(relayUser), addrFor(relayOp)
	if _, ok := relay.GetRelay(g.st, ra); !ok {
		return planned{}, false
	}
	h := g.height()
	ch, found := relay.GetChannel(g.st, me, ra)
	if found && ch.CloseHeight >= h {
		return g.badTx(relayUser, "channel_closing", relay.CodeChannelClosing, marketMsg(relay.TypeClose, &relayv1.MsgClose{Relay: ra[:]}))
	}
	price := params.Get(g.st, relay.MinPrice) + uint64(h%100)
	if found && ch.CloseHeight == 0 && ch.Balance > 0 {
		if h%4 == 0 {
			return g.okTx(relayUser, relay.TypeClose, marketMsg(relay.TypeClose, &relayv1.MsgClose{Relay: ra[:]}))
		}
		price = ch.Price
	}
	dep := params.Get(g.st, relay.MinDeposit) + uint64(h)*1000
	return g.okTx(relayUser, relay.TypeOpen, marketMsg(relay.TypeOpen, &relayv1.MsgOpen{Relay: ra[:], Price: price, Deposit: dep}))
}

// valOpTx walks a validator through creation, edits, a self-undelegation
// below the minimum self-bond (which jails it), a new self-delegation and
// unjailing.
func (g *gen) valOpTx(valOp string) (planned, bool) {
	me := addrFor(valOp)
	minSelf := params.Get(g.st, stake.MinSelfBond)
	v, ok := stake.GetValidator(g.st, me)
	if !ok {
		return g.okTx(valOp, stake.TypeCreateValidator, msg{stake.TypeCreateValidator, mustMarshal(&stakev1.MsgCreateValidator{
			PubKey: consKeyFor(valOp), Amount: 2 * minSelf, CommissionBps: 500, MaxCommissionBps: 2_000, MaxChangeBps: 100})})
	}
	d, _ := stake.GetDelegation(g.st, me, me)
	self := uint64(0)
	if d != nil {
		self = stake.TokensOf(v, d.Shares)
	}
	h := g.height()
	if v.Jailed {
		if self < minSelf {
			return g.okTx(valOp, stake.TypeDelegate, msg{stake.TypeDelegate, mustMarshal(&stakev1.MsgDelegate{Validator: me[:], Amount: minSelf})})
		}
		return g.okTx(valOp, stake.TypeUnjail, msg{stake.TypeUnjail, mustMarshal(&stakev1.MsgUnjail{})})
	}
	switch (h / 3) % 6 {
	case 0:
		return g.okTx(valOp, stake.TypeEditValidator, msg{stake.TypeEditValidator, mustMarshal(&stakev1.MsgEditValidator{SetMoniker: true, Moniker: fmt.Sprintf("gen-%d", h)})})
	case 1:
		return g.badTx(valOp, "commission_above_max", stake.CodeBadCommission, msg{stake.TypeEditValidator, mustMarshal(&stakev1.MsgEditValidator{SetCommission: true, CommissionBps: 3_000})})
	case 2:
		return g.badTx(valOp, "not_jailed", stake.CodeNotJailed, msg{stake.TypeUnjail, mustMarshal(&stakev1.MsgUnjail{})})
	case 4, 5:
		return planned{}, false // the slots the recovery from jail takes
	}
	if self < minSelf || stake.UnbondingsFrom(g.st, me, me) >= params.Get(g.st, stake.MaxEntries) {
		return planned{}, false
	}
	return g.okTx(valOp, stake.TypeUndelegate, msg{stake.TypeUndelegate, mustMarshal(&stakev1.MsgUndelegate{Validator: me[:], Amount: self - minSelf + 1})})
}

// auditorTx: the auditor attests the relay operator's attributes.
func (g *gen) auditorTx() (planned, bool) {
	me := addrFor(auditor)
	if !market.IsAuditor(g.st, me) || !g.isProvider(relayOp) || g.height()%4 != 1 {
		return planned{}, false
	}
	p := addrFor(relayOp)
	return g.okTx(auditor, market.TypeAttest, marketMsg(market.TypeAttest, &marketv1.MsgAttest{Provider: p[:],
		Attributes: []*marketv1.Attribute{{Key: "region", Value: g.oneOfBy([]string{"eu", "us"})}}}))
}

func (g *gen) oneOfBy(xs []string) string { return xs[int(g.height())%len(xs)] }

// genManifest is the manifest the generator's oracle submits for epoch
// n: the first devices of the registry, with totals that grow by epoch.
func (g *gen) genManifest(n uint64) *reward.Manifest {
	ds, _ := device.ListDevices(g.st, device.Filter{}, device.Page{Limit: 6})
	m := &reward.Manifest{Epoch: n, ScorerVersion: 1}
	for i, d := range ds {
		m.Entries = append(m.Entries, reward.Entry{Device: ledger.Address(d.Id), Cumulative: 1_000*(n+1) + uint64(i)})
	}
	slices.SortFunc(m.Entries, func(a, b reward.Entry) int { return slices.Compare(a.Device[:], b.Device[:]) })
	return m
}

// submitRootTx: the oracle settles the next epoch once its grace passed,
// paying each device pool half its slice of the emission.
func (g *gen) submitRootTx() (planned, bool) {
	n := reward.NextToSettle(g.st)
	ep, ok := reward.GetEpoch(g.st, n)
	if !ok || !ep.Ended || ep.Settled || g.height() <= ep.EndHeight+genGrace {
		return planned{}, false
	}
	m := g.genManifest(n)
	root := m.Root()
	sub := &rewardv1.MsgSubmitRoot{Epoch: n, Root: root[:], ScorerVersion: 1}
	in := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("gen inputs"), n))
	sub.InputsHash, sub.StateHash = in[:], in[:]
	for _, p := range reward.PoolsFromProto(ep.Pools) {
		if !p.PaysDevices() {
			continue
		}
		paid, _ := ledger.MulDiv(ep.Emission, uint64(p.Bps), 20_000)
		sub.Pools = append(sub.Pools, &rewardv1.PoolPaid{Name: p.Name, Paid: paid})
		sub.DeviceTotal += paid
	}
	if g.manifests == nil {
		g.manifests = map[string]*reward.Manifest{}
	}
	g.manifests[string(root[:])] = m
	return g.okTx(genOracle, reward.TypeSubmitRoot, msg{reward.TypeSubmitRoot, mustMarshal(sub)})
}

// claimTx: claim a device's total from the latest settlement, or claim
// one already claimed.
func (g *gen) claimTx() (planned, bool) {
	s, ok := reward.LatestSettlement(g.st)
	if !ok {
		return planned{}, false
	}
	m := g.manifests[string(s.Root)]
	if m == nil {
		return planned{}, false
	}
	for _, e := range m.Entries {
		p, err := m.Proof(e.Device)
		if err != nil {
			panic(err)
		}
		cm := &rewardv1.MsgClaim{Device: e.Device[:], Cumulative: e.Cumulative, Index: p.Index, Size: p.Size}
		for _, h := range p.Path {
			cm.Path = append(cm.Path, append([]byte(nil), h[:]...))
		}
		if reward.Claimed(g.st, e.Device) < e.Cumulative {
			return g.okTx(claimer, reward.TypeClaim, msg{reward.TypeClaim, mustMarshal(cm)})
		}
		if g.height()%3 == 0 {
			return g.badTx(claimer, "nothing_to_claim", reward.CodeNothingToClaim, msg{reward.TypeClaim, mustMarshal(cm)})
		}
	}
	return planned{}, false
}

// dueWork plans name's compute step due now; now and then a job or the
// unbond of an idle provider; or the retirement of a certificate.
func (g *gen) dueWork(name string) (planned, bool) {
	if c, found := g.retirable(name); found {
		return g.okTx(name, energy.TypeRetire, energyMsg(energy.TypeRetire, &energyv1.MsgRetire{Certificate: c}))
	}
	if g.used[computeLock] {
		return planned{}, false
	}
	h := g.height()
	if p, ok := compute.GetProvider(g.st, addrFor(name)); ok && p.Open == 0 && h%11 == 0 {
		g.used[computeLock] = true
		return g.okTx(name, compute.TypeUnbond, marketMsg(compute.TypeUnbond, &computev1.MsgUnbond{}))
	}
	if p, ok := g.computeDue(name); ok {
		return p, true
	}
	if h%4 == 0 {
		return g.computeSubmit(name)
	}
	return planned{}, false
}

// denyTargetTx onboards the one device the authority denies and allows
// in turn.
func (g *gen) denyTargetTx() (planned, bool) {
	if ds, _ := g.devices(denyTarget); len(ds) > 0 {
		return planned{}, false
	}
	return g.okTx(denyTarget, "device/onboard", g.onboardMsg("acme", g.fresh("dev"), "coverage", fmt.Sprintf("DENY-%d", g.counter), denyTarget))
}

// refusal plans one tx from a fixed list of handler refusals, in turn by
// height, signed by a funded account that has not signed in the block
// and whose role no tx of the block can change (no operator candidate,
// genesis validator or verifier candidate).
func (g *gen) refusal() (planned, bool) {
	var name string
	for i := range g.funded {
		n := g.funded[(int(g.height())+i)%len(g.funded)]
		if !g.used[addrFor(n)] && !slices.Contains(g.operatorCandidates(), n) && !slices.Contains(genValidators, n) && !slices.Contains(g.verifierCandidates(), n) {
			name = n
			break
		}
	}
	if name == "" {
		return planned{}, false
	}
	g.used[addrFor(name)] = true
	me := addrFor(name)
	ghost := addrFor(g.fresh("ghost"))
	const far = 1 << 40
	unauthorized := func(label string, m msg) (planned, bool) {
		return g.badTx(name, label, ledger.CodeUnauthorized, m)
	}
	list := []func() (planned, bool){
		func() (planned, bool) {
			if !g.isProvider(name) {
				return g.badTx(name, "compute_not_market_provider", compute.CodeNotMarketProvider, marketMsg(compute.TypeRegister, &computev1.MsgRegister{Bond: params.Get(g.st, compute.MinBond)}))
			}
			if _, registered := compute.GetProvider(g.st, me); registered {
				return planned{}, false // a bond adds to the one it holds
			}
			return g.badTx(name, "compute_bond_too_low", compute.CodeBondTooLow, marketMsg(compute.TypeRegister, &computev1.MsgRegister{Bond: 1}))
		},
		func() (planned, bool) {
			if _, ok := compute.GetProvider(g.st, me); ok {
				return planned{}, false
			}
			return g.badTx(name, "compute_unbond_unknown", compute.CodeUnknownProvider, marketMsg(compute.TypeUnbond, &computev1.MsgUnbond{}))
		},
		func() (planned, bool) {
			return g.badTx(name, "reveal_unknown_job", compute.CodeUnknownJob, marketMsg(compute.TypeReveal, &computev1.MsgReveal{Job: far, ResultHash: make([]byte, 32)}))
		},
		func() (planned, bool) {
			return g.badTx(name, "verify_unknown_job", compute.CodeUnknownJob, marketMsg(compute.TypeVerify, &computev1.MsgVerify{Job: far, ResultHash: make([]byte, 32)}))
		},
		func() (planned, bool) {
			return unauthorized("set_verifier", marketMsg(compute.TypeSetVerifier, &computev1.MsgSetVerifier{Verifier: ghost[:]}))
		},
		func() (planned, bool) {
			return g.badTx(name, "buy_no_credits", ledger.CodeInvalidAmount, marketMsg(credit.TypeBuy, &creditv1.MsgBuy{}))
		},
		func() (planned, bool) {
			return g.badTx(name, "grant_unknown_device", dataaccess.CodeNotSensor, msg{dataaccess.TypeGrant, mustMarshal(&datav1.MsgGrant{Device: ghost[:],
				Grantee: me[:], Channels: []string{"temperature"}, NotBefore: 0, NotAfter: g.height() + 60})})
		},
		func() (planned, bool) {
			return g.badTx(name, "accept_unknown_grant", dataaccess.CodeNoGrant, msg{dataaccess.TypeAccept, mustMarshal(&datav1.MsgAccept{Id: far})})
		},
		func() (planned, bool) {
			return g.badTx(name, "revoke_unknown_grant", dataaccess.CodeNoGrant, msg{dataaccess.TypeRevoke, mustMarshal(&datav1.MsgRevoke{Id: far})})
		},
		func() (planned, bool) {
			return unauthorized("set_denied", msg{device.TypeSetDenied, mustMarshal(&devicev1.MsgSetDenied{Device: ghost[:], Denied: true, Reason: "no"})})
		},
		func() (planned, bool) {
			return g.badTx(name, "deposit_unknown_proposal", gov.CodeUnknownProposal, msg{gov.TypeDeposit, mustMarshal(&govv1.MsgDeposit{Proposal: far, Amount: 1})})
		},
		func() (planned, bool) {
			return g.badTx(name, "proposal_deposit_too_low", gov.CodeDepositTooLow, msg{gov.TypeSubmitProposal, mustMarshal(&govv1.MsgSubmitProposal{Title: "cheap", Deposit: 1})})
		},
		func() (planned, bool) {
			return g.badTx(name, "treasury_spend_direct", gov.CodeNotAuthority, msg{gov.TypeTreasurySpend, mustMarshal(&govv1.MsgTreasurySpend{To: me[:], Amount: 1})})
		},
		func() (planned, bool) {
			return g.badTx(name, "close_unknown_order", market.CodeUnknownOrder, marketMsg(market.TypeCloseOrder, &marketv1.MsgCloseOrder{Order: far}))
		},
		func() (planned, bool) {
			if g.isProvider(name) {
				return g.badTx(name, "provider_exists", market.CodeProviderExists, marketMsg(market.TypeCreateProvider, &marketv1.MsgCreateProvider{HostUri: "https://again.example"}))
			}
			return g.badTx(name, "update_unknown_provider", market.CodeUnknownProvider, marketMsg(market.TypeUpdateProvider, &marketv1.MsgUpdateProvider{HostUri: "https://x.example"}))
		},
		func() (planned, bool) {
			return g.badTx(name, "close_unknown_bid", market.CodeUnknownBid, marketMsg(market.TypeCloseBid, &marketv1.MsgCloseBid{Order: far}))
		},
		func() (planned, bool) {
			return unauthorized("set_auditor", marketMsg(market.TypeSetAuditor, &marketv1.MsgSetAuditor{Auditor: me[:]}))
		},
		func() (planned, bool) {
			return g.badTx(name, "attest_not_auditor", market.CodeNotAuditor, marketMsg(market.TypeAttest, &marketv1.MsgAttest{Provider: me[:],
				Attributes: []*marketv1.Attribute{{Key: "region", Value: "eu"}}}))
		},
		func() (planned, bool) {
			return unauthorized("set_authority", setAuthorityMsg(me[:]))
		},
		func() (planned, bool) {
			return unauthorized("remove_operator", msg{proof.TypeRemoveOperator, mustMarshal(&proofv1.MsgRemoveOperator{Operator: ghost[:]})})
		},
		func() (planned, bool) {
			return g.badTx(name, "open_unknown_relay", relay.CodeUnknownRelay, marketMsg(relay.TypeOpen, &relayv1.MsgOpen{Relay: ghost[:],
				Price: params.Get(g.st, relay.MinPrice), Deposit: params.Get(g.st, relay.MinDeposit)}))
		},
		func() (planned, bool) {
			if g.isProvider(name) {
				return planned{}, false
			}
			return g.badTx(name, "relay_not_market_provider", relay.CodeNotMarketProvider, marketMsg(relay.TypeRegister, &relayv1.MsgRegister{HostUri: "https://r.example"}))
		},
		func() (planned, bool) {
			return g.badTx(name, "close_unknown_channel", relay.CodeUnknownChannel, marketMsg(relay.TypeClose, &relayv1.MsgClose{Relay: ghost[:]}))
		},
		func() (planned, bool) {
			if _, ok := relay.GetRelay(g.st, me); ok {
				return planned{}, false
			}
			return g.badTx(name, "redeem_not_relay", relay.CodeUnknownRelay, marketMsg(relay.TypeRedeem, &relayv1.MsgRedeem{Ticket: &relayv1.SignedTicket{}}))
		},
		func() (planned, bool) {
			return unauthorized("set_oracle", msg{reward.TypeSetOracle, mustMarshal(&rewardv1.MsgSetOracle{Oracle: ghost[:], Weight: 1})})
		},
		func() (planned, bool) {
			return unauthorized("remove_oracle", msg{reward.TypeRemoveOracle, mustMarshal(&rewardv1.MsgRemoveOracle{Oracle: ghost[:]})})
		},
		func() (planned, bool) {
			return unauthorized("set_pools", msg{reward.TypeSetPools, mustMarshal(&rewardv1.MsgSetPools{Pools: reward.PoolsToProto(reward.Pools(g.st))})})
		},
		func() (planned, bool) {
			if !g.staking {
				return planned{}, false
			}
			return g.badTx(name, "delegate_unknown_validator", stake.CodeUnknownValidator, msg{stake.TypeDelegate, mustMarshal(&stakev1.MsgDelegate{Validator: ghost[:], Amount: 1})})
		},
		func() (planned, bool) {
			src, dst := addrFor(genValidators[0]), addrFor(genValidators[1])
			if !g.staking {
				return planned{}, false
			}
			if _, has := stake.GetDelegation(g.st, me, src); has {
				return planned{}, false
			}
			return g.badTx(name, "redelegate_unknown_delegation", stake.CodeUnknownDelegation, msg{stake.TypeRedelegate, mustMarshal(&stakev1.MsgRedelegate{Src: src[:], Dst: dst[:], Amount: 1})})
		},
		func() (planned, bool) {
			if g.isOperator(name) || !g.staking {
				return planned{}, false
			}
			return g.badTx(name, "edit_unknown_validator", stake.CodeUnknownValidator, msg{stake.TypeEditValidator, mustMarshal(&stakev1.MsgEditValidator{SetMoniker: true, Moniker: "x"})})
		},
		func() (planned, bool) {
			if g.isOperator(name) || !g.staking {
				return planned{}, false
			}
			return g.badTx(name, "unjail_unknown_validator", stake.CodeUnknownValidator, msg{stake.TypeUnjail, mustMarshal(&stakev1.MsgUnjail{})})
		},
		func() (planned, bool) {
			if len(stake.DelegationsOf(g.st, me)) > 0 || g.isOperator(name) || !g.staking {
				return planned{}, false
			}
			return g.badTx(name, "withdraw_nothing", stake.CodeUnknownDelegation, msg{stake.TypeWithdrawRewards, mustMarshal(&stakev1.MsgWithdrawRewards{})})
		},
		func() (planned, bool) {
			d := genDeal(far)
			return g.badTx(name, "deal_not_storage_lease", storage.CodeNotStorageLease, marketMsg(storage.TypeCreateDeal, d))
		},
	}
	return list[int(g.height())%len(list)]()
}

// closeBidTx: a provider that has not signed withdraws an open bid on an
// order whose owner has not signed either (and is then kept out of the
// block, so that the bid is not accepted before).
func (g *gen) closeBidTx() (planned, bool) {
	if g.height()%3 != 0 {
		return planned{}, false
	}
	for _, o := range g.orders(marketv1.OrderState_ORDER_STATE_OPEN) {
		if g.used[addrOf(o.Owner)] {
			continue
		}
		bids, _ := market.ListBids(g.st, market.BidFilter{Order: o.Id, State: marketv1.BidState_BID_STATE_OPEN}, market.Page{})
		for _, b := range bids {
			prov := addrOf(b.Provider)
			name, known := g.keys[prov]
			if !known || g.used[prov] || slices.Contains(extraActors, name) {
				continue
			}
			g.claim(o.Owner)
			g.claim(b.Provider)
			return g.okTx(name, market.TypeCloseBid, marketMsg(market.TypeCloseBid, &marketv1.MsgCloseBid{Order: o.Id}))
		}
	}
	return planned{}, false
}

// verifications plans the due work of the verifier candidates.
func (g *gen) verifications() []planned {
	var out []planned
	for _, v := range g.verifierCandidates() {
		if p, ok := g.computeDue(v); ok {
			g.used[addrFor(v)] = true
			out = append(out, p)
		}
	}
	return out
}

// energyActorTx walks a household through the energy market every
// interval: a renewable meter that sells 270 Wh and exports them, or a
// load that buys 270 Wh and imports them, so that trades settle, mint the
// load's owner certificates and the owner retires them.
func (g *gen) energyActorTx(name string, renewable bool) (planned, bool) {
	devs := g.energyDevices(name)
	now := uint64(g.height())
	if len(devs) == 0 {
		dev := g.fresh("hh-meter")
		id := addrFor(dev)
		return g.okTx(name, "energy/onboard-meter", g.onboardMsg("initech", dev, kenergy.Name, fmt.Sprintf("HH-%d", g.counter), name),
			assertAttrsMsg(id[:], g.cells[0], energyAttrs(g.cells[0], renewable)))
	}
	d := devs[0]
	switch {
	case now >= genInterval && now%genInterval < 5:
		iv := now/genInterval - 1
		m, known := energy.GetMeter(g.st, ledger.Address(d.Id))
		if known && m.Interval >= iv {
			break
		}
		r := &kenergyv1.Read{Interval: iv, ImportedWh: m.GetImportedWh(), ProducedWh: m.GetProducedWh(), ExportedWh: m.GetExportedWh()}
		if renewable {
			r.ProducedWh, r.ExportedWh = r.ProducedWh+270, r.ExportedWh+270
		} else {
			r.ImportedWh += 270
		}
		return g.okTx(name, energy.TypeRead, energyMsg(energy.TypeRead, &energyv1.MsgRead{Report: g.signedReadAt(d, r, now)}))
	case now%genInterval == 6:
		iv := now/genInterval + 1
		if renewable {
			return g.okTx(name, energy.TypeAsk, energyMsg(energy.TypeAsk, &energyv1.MsgAsk{Device: d.Id, Interval: iv, Wh: 270, Price: 100}))
		}
		return g.okTx(name, energy.TypeBid, energyMsg(energy.TypeBid, &energyv1.MsgBid{Device: d.Id, Interval: iv, Wh: 270, Price: 900}))
	}
	if c, found := g.retirable(name); found {
		return g.okTx(name, energy.TypeRetire, energyMsg(energy.TypeRetire, &energyv1.MsgRetire{Certificate: c}))
	}
	return planned{}, false
}

// buyerTx walks a consumer through the market: an order, the seller's bid
// accepted, the lease closed, or an order without bids closed.
func (g *gen) buyerTx() (planned, bool) {
	me := addrFor(buyer)
	if g.used[me] {
		return planned{}, false
	}
	h := g.height()
	for _, l := range g.leases(market.LeaseFilter{Owner: &me, State: marketv1.LeaseState_LEASE_STATE_ACTIVE}) {
		if h%8 == 4 && g.claim(l.Provider) {
			return g.okTx(buyer, market.TypeCloseLease, marketMsg(market.TypeCloseLease, &marketv1.MsgCloseLease{Lease: l.Id}))
		}
	}
	for _, o := range g.orders(marketv1.OrderState_ORDER_STATE_OPEN) {
		if addrOf(o.Owner) != me {
			continue
		}
		if b, ok := market.GetBid(g.st, o.Id, addrFor(seller)); ok && b.State == marketv1.BidState_BID_STATE_OPEN &&
			b.ExpiresHeight >= h && b.Price*o.Quantity <= o.Deposit && g.claim(b.Provider) {
			return g.okTx(buyer, market.TypeAccept, marketMsg(market.TypeAccept, &marketv1.MsgAccept{Order: o.Id, Provider: b.Provider}))
		}
		if h%12 == 8 {
			return g.okTx(buyer, market.TypeCloseOrder, marketMsg(market.TypeCloseOrder, &marketv1.MsgCloseOrder{Order: o.Id}))
		}
		return planned{}, false
	}
	return g.okTx(buyer, market.TypeCreateOrder, marketMsg(market.TypeCreateOrder, &marketv1.MsgCreateOrder{Kind: "relay", Quantity: 1,
		MaxPrice: 1_000, Duration: 40, Deposit: params.Get(g.st, market.MinDeposit) + 100_000}))
}

// sellerTx: a provider that bids on the buyer's open orders and submits
// the buyer's usage receipts (and now and then registers again, refused).
func (g *gen) sellerTx() (planned, bool) {
	me := addrFor(seller)
	if g.used[me] {
		return planned{}, false
	}
	create := marketMsg(market.TypeCreateProvider, &marketv1.MsgCreateProvider{HostUri: "https://seller.example"})
	if !g.isProvider(seller) {
		return g.okTx(seller, market.TypeCreateProvider, create)
	}
	h := g.height()
	if h%16 == 2 {
		return g.badTx(seller, "provider_exists", market.CodeProviderExists, create)
	}
	b := addrFor(buyer)
	for _, o := range g.orders(marketv1.OrderState_ORDER_STATE_OPEN) {
		if addrOf(o.Owner) != b || uint64(o.Bids) >= params.Get(g.st, market.MaxBids) {
			continue
		}
		if _, bid := market.GetBid(g.st, o.Id, me); bid || !g.claim(o.Owner) {
			continue
		}
		return g.okTx(seller, market.TypeBid, marketMsg(market.TypeBid, &marketv1.MsgBid{Order: o.Id, Price: 500, Collateral: params.Get(g.st, market.MinCollateral)}))
	}
	r := market.SignReceipt(keyFor(buyer), &marketv1.Receipt{ChainId: g.chainID, Payer: b[:], Provider: me[:], Kind: "relay",
		PeriodStart: 1, PeriodEnd: h, Units: uint64(h), Credits: 1, Nonce: market.LastNonce(g.st, b, me) + 1})
	return g.okTx(seller, market.TypeSubmitReceipts, marketMsg(market.TypeSubmitReceipts, &marketv1.MsgSubmitReceipts{Receipts: []*marketv1.SignedReceipt{r}}))
}
