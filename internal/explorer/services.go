package explorer

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/depin-network/depin/internal/compute"
	"github.com/depin-network/depin/internal/energy"
	"github.com/depin-network/depin/internal/indexer"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/relay"
	"github.com/depin-network/depin/internal/storage"
)

// The storage, energy, compute and relay pages show the modules' state
// read from the node (internal/query paths) and the modules' events from
// the indexer, as the market page does. Their detail pages answer 400 for
// a malformed id and 404 for one the node does not know.

// queryCoder is a node query error with its code (client.QueryError).
type queryCoder interface{ QueryCode() ledger.QueryCode }

// stateGet reads one query for a detail page: the node's bad request and
// not found become the page's 400 and 404; a node that does not answer
// (down, unreachable, timing out, or failing the query otherwise) is the
// page's 502, logged with its cause.
func (s *Server) stateGet(ctx context.Context, path string, out any) error {
	if s.state == nil {
		return &httpError{http.StatusServiceUnavailable, "the explorer has no node to read the module's state from"}
	}
	err := s.state.Query(ctx, path, out)
	var qc queryCoder
	if errors.As(err, &qc) {
		switch qc.QueryCode() {
		case ledger.QueryBadRequest:
			return badRequestf("%s", err.Error())
		case ledger.QueryNotFound:
			return notFoundf("%s", err.Error())
		}
	}
	if err != nil {
		s.logQuery(ctx, path, err)
		return &httpError{http.StatusBadGateway, "the node did not answer " + path + "; try again when it is reachable"}
	}
	return nil
}

// storageDeals bounds the deals the storage page reads from the node;
// the page reads them, then their providers, stateFan at a time.
const storageDeals = 20

// StorageFile is a content id and the deals of its shards.
type StorageFile struct {
	CID    string `json:"cid"`
	Shards int    `json:"shards"`
	Deals  int    `json:"deals"`
	Bytes  uint64 `json:"bytes,string"`
}

// StoragePage is the newest storage deals with their state, the files
// (content ids) and providers they name, and storage events.
type StoragePage struct {
	Deals      []storage.DealView       `json:"deals"`
	Files      []StorageFile            `json:"files"`
	Providers  []storage.ReputationView `json:"providers"`
	StateError string                   `json:"state_error,omitempty"`
	Events     []indexer.EventRow       `json:"events"`
}

func (s *Server) storage(r *http.Request) (any, error) {
	ctx := r.Context()
	p := StoragePage{Deals: []storage.DealView{}, Files: []StorageFile{}, Providers: []storage.ReputationView{}}
	created, err := s.db.EventsOfType(ctx, "storage.deal", 0, storageDeals)
	if err != nil {
		return nil, err
	}
	deals := make([]storage.DealView, len(created))
	reads := make([]stateRead, len(created))
	for i, e := range created {
		reads[i] = stateRead{"/storage/deals/" + e.Attr("deal"), &deals[i]}
	}
	if p.StateError = s.stateQueries(ctx, reads...); p.StateError == "" {
		p.Deals = deals
		p.Files = storageFiles(deals)
		var provs []string
		seen := map[string]bool{}
		for _, d := range deals {
			if !seen[d.Provider] {
				seen[d.Provider] = true
				provs = append(provs, d.Provider)
			}
		}
		reps := make([]storage.ReputationView, len(provs))
		reads = reads[:0]
		for i, a := range provs {
			reads = append(reads, stateRead{"/storage/providers/" + a, &reps[i]})
		}
		if p.StateError = s.stateQueries(ctx, reads...); p.StateError == "" {
			p.Providers = reps
		}
	}
	p.Events, err = s.db.EventsOfModule(ctx, "storage", 0, 20)
	return p, err
}

// storageFiles groups deals by content id, in the order the deals come:
// each file's shards, deals and the bytes of its distinct shards.
func storageFiles(deals []storage.DealView) []StorageFile {
	files := map[string]*StorageFile{}
	var order []string
	shards := map[string]map[uint32]bool{}
	for _, d := range deals {
		f := files[d.CID]
		if f == nil {
			f = &StorageFile{CID: d.CID}
			files[d.CID], shards[d.CID] = f, map[uint32]bool{}
			order = append(order, d.CID)
		}
		f.Deals++
		if !shards[d.CID][d.Shard] {
			shards[d.CID][d.Shard] = true
			f.Shards++
			f.Bytes += d.ShardSize
		}
	}
	out := make([]StorageFile, 0, len(order))
	for _, c := range order {
		out = append(out, *files[c])
	}
	return out
}

// StorageDealPage is one deal.
type StorageDealPage struct {
	Deal storage.DealView `json:"deal"`
}

func (s *Server) storageDeal(r *http.Request) (any, error) {
	id, err := parseHeight("deal id", r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	var p StorageDealPage
	return p, s.stateGet(r.Context(), "/storage/deals/"+strconv.FormatInt(id, 10), &p.Deal)
}

// StorageFilePage is a content id's deals, by shard.
type StorageFilePage struct {
	CID   string             `json:"cid"`
	Deals []storage.DealView `json:"deals"`
}

func (s *Server) storageFile(r *http.Request) (any, error) {
	c, err := storage.ParseCID(r.PathValue("cid"))
	if err != nil {
		return nil, badRequestf("%.100q is not a content id: %v", r.PathValue("cid"), err)
	}
	p := StorageFilePage{CID: storage.FormatCID(c)}
	return p, s.stateGet(r.Context(), "/storage/cids/"+p.CID, &p.Deals)
}

// StorageProviderPage is a storage provider's reputation and deals.
type StorageProviderPage struct {
	Reputation storage.ReputationView `json:"reputation"`
	Deals      []storage.DealView     `json:"deals"`
}

func (s *Server) storageProvider(r *http.Request) (any, error) {
	addr, err := parseAddress(r.PathValue("address"))
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	var p StorageProviderPage
	if err := s.stateGets(ctx, stateRead{"/storage/providers/" + addr, &p.Reputation}, stateRead{"/storage/deals?provider=" + addr, &p.Deals}); err != nil {
		return nil, err
	}
	if len(p.Deals) == 0 {
		return nil, notFoundf("%s has no storage deals", addr)
	}
	p.Deals = newest(p.Deals, moduleLimit)
	return p, nil
}

// EnergyPage is the energy market's newest clearings and its events.
type EnergyPage struct {
	Clearings  []energy.ClearingView `json:"clearings"`
	StateError string                `json:"state_error,omitempty"`
	Events     []indexer.EventRow    `json:"events"`
}

func (s *Server) energy(r *http.Request) (any, error) {
	ctx := r.Context()
	p := EnergyPage{Clearings: []energy.ClearingView{}}
	var iv struct {
		Intervals []energy.ClearingView `json:"intervals"`
	}
	if p.StateError = s.stateQuery(ctx, "/energy/intervals?limit="+strconv.Itoa(energy.MaxLimit), &iv); p.StateError == "" {
		p.Clearings = newest(iv.Intervals, moduleLimit)
	}
	var err error
	p.Events, err = s.db.EventsOfModule(ctx, "energy", 0, 20)
	return p, err
}

// EnergyClearingPage is one zone's clearing in one interval: its price,
// the orders of its book, the trades, the meters' reads and the
// settlement lines.
type EnergyClearingPage struct {
	Clearing energy.ClearingDetail `json:"clearing"`
}

func (s *Server) energyClearing(r *http.Request) (any, error) {
	zone, err := strconv.ParseUint(r.PathValue("zone"), 16, 64)
	if err != nil {
		return nil, badRequestf("zone must be an H3 index in hex, got %.30q", r.PathValue("zone"))
	}
	iv, err := strconv.ParseUint(r.PathValue("interval"), 10, 64)
	if err != nil {
		return nil, badRequestf("interval must be a decimal integer, got %.30q", r.PathValue("interval"))
	}
	var p EnergyClearingPage
	return p, s.stateGet(r.Context(), "/energy/clearing/"+energy.ZoneString(zone)+"/"+strconv.FormatUint(iv, 10), &p.Clearing)
}

// ComputePage is the compute module's providers, verifiers and newest
// jobs, and its events.
type ComputePage struct {
	Providers  []compute.ProviderView `json:"providers"`
	Verifiers  []string               `json:"verifiers"`
	Jobs       []compute.JobView      `json:"jobs"`
	StateError string                 `json:"state_error,omitempty"`
	Events     []indexer.EventRow     `json:"events"`
}

func (s *Server) compute(r *http.Request) (any, error) {
	ctx := r.Context()
	p := ComputePage{Providers: []compute.ProviderView{}, Verifiers: []string{}, Jobs: []compute.JobView{}}
	var provs struct {
		Providers []compute.ProviderView `json:"providers"`
	}
	var vers struct {
		Verifiers []string `json:"verifiers"`
	}
	var jobs struct {
		Jobs []compute.JobView `json:"jobs"`
	}
	if p.StateError = s.stateQueries(ctx, stateRead{"/compute/providers", &provs}, stateRead{"/compute/verifiers", &vers},
		stateRead{"/compute/jobs", &jobs}); p.StateError == "" {
		p.Providers, p.Verifiers = provs.Providers[:min(len(provs.Providers), moduleLimit)], vers.Verifiers
		p.Jobs = newest(jobs.Jobs, moduleLimit)
	}
	var err error
	p.Events, err = s.db.EventsOfModule(ctx, "compute", 0, 20)
	return p, err
}

// ComputeJobPage is one job with its tasks.
type ComputeJobPage struct {
	Job   compute.JobView `json:"job"`
	Tasks []any           `json:"tasks"`
}

func (s *Server) computeJob(r *http.Request) (any, error) {
	id, err := parseHeight("job id", r.PathValue("id"))
	if err != nil || id == 0 {
		return nil, badRequestf("job id must be a positive decimal integer, got %.30q", r.PathValue("id"))
	}
	ctx := r.Context()
	path := "/compute/jobs/" + strconv.FormatInt(id, 10)
	var p ComputeJobPage
	var tasks struct {
		Tasks []any `json:"tasks"`
	}
	if err := s.stateGets(ctx, stateRead{path, &p.Job}, stateRead{path + "/tasks", &tasks}); err != nil {
		return nil, err
	}
	p.Tasks = tasks.Tasks
	return p, nil
}

// RelayPage is the relays, their channels and relay events.
type RelayPage struct {
	Relays     []relay.RelayView   `json:"relays"`
	Channels   []relay.ChannelView `json:"channels"`
	StateError string              `json:"state_error,omitempty"`
	Events     []indexer.EventRow  `json:"events"`
}

func (s *Server) relay(r *http.Request) (any, error) {
	ctx := r.Context()
	p := RelayPage{Relays: []relay.RelayView{}, Channels: []relay.ChannelView{}}
	var relays struct {
		Relays []relay.RelayView `json:"relays"`
	}
	var chans struct {
		Channels []relay.ChannelView `json:"channels"`
	}
	if p.StateError = s.stateQueries(ctx, stateRead{"/relay/relays", &relays}, stateRead{"/relay/channels", &chans}); p.StateError == "" {
		p.Relays = relays.Relays[:min(len(relays.Relays), moduleLimit)]
		p.Channels = newestChannels(chans.Channels)
	}
	var err error
	p.Events, err = s.db.EventsOfModule(ctx, "relay", 0, 20)
	return p, err
}

// newestChannels lists at most moduleLimit channels, the last opened first.
func newestChannels(cs []relay.ChannelView) []relay.ChannelView {
	cs = slices.Clone(cs)
	slices.SortStableFunc(cs, func(a, b relay.ChannelView) int { return cmp.Compare(b.OpenedHeight, a.OpenedHeight) })
	return cs[:min(len(cs), moduleLimit)]
}

// RelayRelayPage is one relay and its channels.
type RelayRelayPage struct {
	Relay    relay.RelayView     `json:"relay"`
	Channels []relay.ChannelView `json:"channels"`
}

func (s *Server) relayRelay(r *http.Request) (any, error) {
	addr, err := parseAddress(r.PathValue("address"))
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	var p RelayRelayPage
	var chans struct {
		Channels []relay.ChannelView `json:"channels"`
	}
	if err := s.stateGets(ctx, stateRead{"/relay/relays/" + addr, &p.Relay}, stateRead{"/relay/channels?relay=" + addr, &chans}); err != nil {
		return nil, err
	}
	p.Channels = newestChannels(chans.Channels)
	return p, nil
}
