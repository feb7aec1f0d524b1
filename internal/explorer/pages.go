package explorer

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/depin-network/depin/internal/apidoc"
	"github.com/depin-network/depin/internal/indexer"
)

// route is one page: its pattern, its template and what it reads.
type route struct {
	pattern string
	tmpl    string
	title   string
	read    func(r *http.Request) (any, error)
}

// view is what a page template gets.
type view struct {
	Title string
	Path  string
	Data  any
}

func (s *Server) routes() []route {
	return []route{
		{"/{$}", "home", "Home", s.home},
		{"/blocks", "blocks", "Blocks", s.blocks},
		{"/blocks/{height}", "block", "Block", s.block},
		{"/txs/{hash}", "tx", "Transaction", s.tx},
		{"/accounts/{address}", "account", "Account", s.account},
		{"/devices", "devices", "Devices", s.devices},
		{"/devices/{address}", "device", "Device", s.device},
		{"/epochs", "epochs", "Epochs", s.epochs},
		{"/epochs/{n}", "epoch", "Epoch", s.epoch},
		{"/market", "market", "Market", s.market},
		{"/governance", "governance", "Governance", s.governance},
		{"/governance/proposals/{id}/simulation", "simulation", "Proposal simulation", s.simulation},
		{"/validators", "validators", "Validators", s.validators},
		{"/storage", "storage", "Storage", s.storage},
		{"/storage/deals/{id}", "storage_deal", "Storage deal", s.storageDeal},
		{"/storage/files/{cid}", "storage_file", "Stored file", s.storageFile},
		{"/storage/providers/{address}", "storage_provider", "Storage provider", s.storageProvider},
		{"/energy", "energy", "Energy", s.energy},
		{"/energy/clearings/{zone}/{interval}", "energy_clearing", "Energy clearing", s.energyClearing},
		{"/compute", "compute", "Compute", s.compute},
		{"/compute/jobs/{id}", "compute_job", "Compute job", s.computeJob},
		{"/relay", "relay", "Relay", s.relay},
		{"/relay/relays/{address}", "relay_relay", "Relay", s.relayRelay},
		{"/search", "search", "Search", s.search},
	}
}

// page renders a route as HTML, or as JSON under /api.
func (s *Server) page(p route, asJSON bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := p.read(r)
		var redirect *redirectTo
		if errors.As(err, &redirect) {
			if asJSON {
				writeJSON(w, http.StatusOK, map[string]string{"kind": redirect.kind, "path": redirect.path, "api": "/api" + redirect.path})
				return
			}
			http.Redirect(w, r, redirect.path, http.StatusSeeOther)
			return
		}
		if err != nil {
			s.fail(w, r, asJSON, err)
			return
		}
		if asJSON {
			writeJSON(w, http.StatusOK, data)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := s.pages[p.tmpl].Execute(w, view{Title: p.title, Path: r.URL.Path, Data: data}); err != nil {
			s.log.Error("explorer: render", "page", p.tmpl, "err", err)
		}
	})
}

// redirectTo is search's answer: the page of what was found.
type redirectTo struct{ kind, path string }

func (r *redirectTo) Error() string { return "see " + r.path }

// Home is the home page.
type Home struct {
	Stats  indexer.Stats         `json:"stats"`
	Blocks []indexer.BlockRow    `json:"blocks"`
	Epochs []indexer.EpochRow    `json:"epochs"`
	Series []indexer.SeriesPoint `json:"series"`
}

func (s *Server) home(r *http.Request) (any, error) {
	ctx := r.Context()
	var h Home
	var err error
	if h.Stats, err = s.db.Stats(ctx); err != nil {
		return nil, err
	}
	if h.Blocks, err = s.db.Blocks(ctx, 0, 10); err != nil {
		return nil, err
	}
	if h.Epochs, err = s.db.Epochs(ctx, 0, 5); err != nil {
		return nil, err
	}
	if h.Series, err = s.db.Series(ctx, 120); err != nil {
		return nil, err
	}
	return h, nil
}

func (s *Server) fragmentLatest(w http.ResponseWriter, r *http.Request) {
	data, err := s.home(r)
	if err != nil {
		s.fail(w, r, false, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.pages["home"].ExecuteTemplate(w, "latest", data); err != nil {
		s.log.Error("explorer: render latest", "err", err)
	}
}

// Blocks is a page of blocks.
type Blocks struct {
	Blocks []indexer.BlockRow `json:"blocks"`
	Next   int64              `json:"next_before,string,omitempty"`
}

func (s *Server) blocks(r *http.Request) (any, error) {
	before, err := queryHeight(r, "before")
	if err != nil {
		return nil, err
	}
	list, err := s.db.Blocks(r.Context(), before, 25)
	if err != nil {
		return nil, err
	}
	out := Blocks{Blocks: list}
	if len(list) == 25 && list[len(list)-1].Height > 1 {
		out.Next = list[len(list)-1].Height
	}
	return out, nil
}

// BlockPage is a block with its transactions and end-block events.
type BlockPage struct {
	Block  indexer.BlockRow   `json:"block"`
	Txs    []indexer.TxRow    `json:"txs"`
	Events []indexer.EventRow `json:"events"`
}

func (s *Server) block(r *http.Request) (any, error) {
	h, err := parseHeight("height", r.PathValue("height"))
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	var p BlockPage
	if p.Block, err = s.db.Block(ctx, h); err != nil {
		return nil, err
	}
	if p.Txs, err = s.db.BlockTxs(ctx, h); err != nil {
		return nil, err
	}
	if p.Events, err = s.db.Events(ctx, h, -1); err != nil {
		return nil, err
	}
	return p, nil
}

// TxPage is a transaction with its events.
type TxPage struct {
	Tx     indexer.TxRow      `json:"tx"`
	Events []indexer.EventRow `json:"events"`
}

func (s *Server) tx(r *http.Request) (any, error) {
	hash, err := parseHash(r.PathValue("hash"))
	if err != nil {
		return nil, err
	}
	var p TxPage
	if p.Tx, err = s.db.Tx(r.Context(), hash); err != nil {
		return nil, err
	}
	if p.Events, err = s.db.Events(r.Context(), p.Tx.Height, p.Tx.Index); err != nil {
		return nil, err
	}
	return p, nil
}

// Account is an address's transactions and devices.
type Account struct {
	Address string              `json:"address"`
	Txs     []indexer.TxRow     `json:"txs"`
	Devices []indexer.DeviceRow `json:"devices"`
	Next    int64               `json:"next_before,string,omitempty"`
}

func (s *Server) account(r *http.Request) (any, error) {
	addr, err := parseAddress(r.PathValue("address"))
	if err != nil {
		return nil, err
	}
	before, err := queryHeight(r, "before")
	if err != nil {
		return nil, err
	}
	a := Account{Address: addr}
	if a.Txs, err = s.db.AccountTxs(r.Context(), addr, before, 50); err != nil {
		return nil, err
	}
	if len(a.Txs) == 50 {
		a.Next = a.Txs[len(a.Txs)-1].Height
	}
	if a.Devices, err = s.db.Devices(r.Context(), addr, "", 50); err != nil {
		return nil, err
	}
	return a, nil
}

// Devices is a page of the device table.
type Devices struct {
	Owner   string              `json:"owner,omitempty"`
	Devices []indexer.DeviceRow `json:"devices"`
	Next    string              `json:"next_after,omitempty"`
	Total   int64               `json:"total,string"`
}

func (s *Server) devices(r *http.Request) (any, error) {
	q := r.URL.Query()
	var d Devices
	var err error
	if v := q.Get("owner"); v != "" {
		if d.Owner, err = parseAddress(v); err != nil {
			return nil, err
		}
	}
	after := ""
	if v := q.Get("after"); v != "" {
		if after, err = parseAddress(v); err != nil {
			return nil, err
		}
	}
	if d.Devices, err = s.db.Devices(r.Context(), d.Owner, after, 50); err != nil {
		return nil, err
	}
	if len(d.Devices) == 50 {
		d.Next = d.Devices[49].Address
	}
	st, err := s.db.Stats(r.Context())
	if err != nil {
		return nil, err
	}
	d.Total = st.Devices
	return d, nil
}

// Explanation is the oracle's explanation of one device in one epoch.
type Explanation struct {
	Epoch uint64 `json:"epoch,string"`
	// Stats are the figures the device's kind reports for it (coverage:
	// beaconer_shares, witness_shares, valid_beacons, valid_witnesses).
	Stats []struct {
		Name  string `json:"name"`
		Value uint64 `json:"value,string"`
	} `json:"stats"`
	Payout     uint64 `json:"payout,string"`
	Cumulative uint64 `json:"cumulative,string"`
	Pools      []struct {
		Pool   string `json:"pool"`
		Units  uint64 `json:"units,string"`
		Amount uint64 `json:"amount,string"`
	} `json:"pools"`
	Reports []struct {
		ID     string `json:"id"`
		Role   string `json:"role"`
		Reason string `json:"reason"`
		Detail string `json:"detail"`
		Units  uint64 `json:"units,string"`
		Share  uint64 `json:"share,string"`
	} `json:"reports"`
}

// DevicePage is a device with its history.
type DevicePage struct {
	Device      indexer.DeviceRow     `json:"device"`
	Locations   []indexer.LocationRow `json:"locations"`
	Rewards     []indexer.RewardRow   `json:"rewards"`
	Epoch       int64                 `json:"epoch,string"`
	Explanation *Explanation          `json:"explanation,omitempty"`
}

func (s *Server) device(r *http.Request) (any, error) {
	addr, err := parseAddress(r.PathValue("address"))
	if err != nil {
		return nil, err
	}
	epoch, err := queryHeight(r, "epoch")
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	var p DevicePage
	if p.Device, err = s.db.Device(ctx, addr); err != nil {
		return nil, err
	}
	if p.Locations, err = s.db.Locations(ctx, addr, 50); err != nil {
		return nil, err
	}
	if p.Rewards, err = s.db.Rewards(ctx, addr, 100); err != nil {
		return nil, err
	}
	if epoch == 0 && len(p.Rewards) > 0 {
		epoch = p.Rewards[0].Epoch
	}
	if epoch > 0 {
		rw, err := s.db.Reward(ctx, addr, epoch)
		switch {
		case errors.Is(err, indexer.ErrNotFound) && r.URL.Query().Has("epoch"):
			return nil, notFoundf("device %s has no result in epoch %d", addr, epoch)
		case err != nil && !errors.Is(err, indexer.ErrNotFound):
			return nil, err
		case err == nil:
			var ex Explanation
			if err := apidoc.UnmarshalNumbers(rw.Explanation, &ex); err != nil {
				return nil, err
			}
			p.Epoch, p.Explanation = epoch, &ex
		}
	}
	return p, nil
}

// Epochs is a page of epochs.
type Epochs struct {
	Epochs []indexer.EpochRow `json:"epochs"`
	Next   int64              `json:"next_before,string,omitempty"`
}

func (s *Server) epochs(r *http.Request) (any, error) {
	before, err := queryHeight(r, "before")
	if err != nil {
		return nil, err
	}
	list, err := s.db.Epochs(r.Context(), before, 25)
	if err != nil {
		return nil, err
	}
	out := Epochs{Epochs: list}
	if len(list) == 25 {
		out.Next = list[24].Number
	}
	return out, nil
}

// EpochSummary is the part of the oracle's summary the epoch page shows.
type EpochSummary struct {
	Reports       uint64 `json:"reports,string"`
	Valid         uint64 `json:"valid,string"`
	Invalid       uint64 `json:"invalid,string"`
	DevicesScored int    `json:"devices_scored"`
	DevicesPaid   int    `json:"devices_paid"`
	Pools         []struct {
		Name      string `json:"name"`
		Bps       uint32 `json:"bps"`
		Amount    uint64 `json:"amount,string"`
		Paid      uint64 `json:"paid,string"`
		Remainder uint64 `json:"remainder,string"`
	} `json:"pools"`
}

// EpochPage is an epoch with its pools, reasons and best-paid devices.
type EpochPage struct {
	Epoch   indexer.EpochRow    `json:"epoch"`
	Summary *EpochSummary       `json:"pools_and_counts,omitempty"`
	Reasons []indexer.ReasonRow `json:"reasons"`
	Top     []indexer.RewardRow `json:"top_devices"`
}

func (s *Server) epoch(r *http.Request) (any, error) {
	n, err := parseHeight("epoch", r.PathValue("n"))
	if err != nil {
		return nil, err
	}
	var p EpochPage
	if p.Epoch, p.Reasons, err = s.db.Epoch(r.Context(), n); err != nil {
		return nil, err
	}
	if len(p.Epoch.Summary) > 0 {
		var sum EpochSummary
		if err := apidoc.UnmarshalNumbers(p.Epoch.Summary, &sum); err != nil {
			return nil, err
		}
		p.Summary = &sum
	}
	if p.Top, err = s.db.TopRewards(r.Context(), n, 20); err != nil {
		return nil, err
	}
	return p, nil
}

// SearchPage is the search form and what a query did not find.
type SearchPage struct {
	Query string `json:"query"`
}

// search finds a height, a block or tx hash, a device or an account and
// answers with its page.
func (s *Server) search(r *http.Request) (any, error) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		return SearchPage{}, nil
	}
	if len(q) > 200 {
		return nil, badRequestf("a search is at most 200 characters")
	}
	found, err := s.find(r.Context(), q)
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, notFoundf("nothing found for %q: try a height, a transaction or block hash, a device or an account address", q)
	}
	return nil, found
}

func (s *Server) find(ctx context.Context, q string) (*redirectTo, error) {
	isNotFound := func(err error) bool { return errors.Is(err, indexer.ErrNotFound) }
	if h, err := parseHeight("height", q); err == nil {
		if _, err := s.db.Block(ctx, h); err == nil {
			return &redirectTo{"block", "/blocks/" + q}, nil
		} else if !isNotFound(err) {
			return nil, err
		}
		return nil, nil
	}
	if hash, err := parseHash(q); err == nil {
		if _, err := s.db.Tx(ctx, hash); err == nil {
			return &redirectTo{"tx", "/txs/" + hash}, nil
		} else if !isNotFound(err) {
			return nil, err
		}
		if b, err := s.db.BlockByHash(ctx, hash); err == nil {
			return &redirectTo{"block", "/blocks/" + itoa(b.Height)}, nil
		} else if !isNotFound(err) {
			return nil, err
		}
		return nil, nil
	}
	if addr, err := parseAddress(q); err == nil {
		if _, err := s.db.Device(ctx, addr); err == nil {
			return &redirectTo{"device", "/devices/" + addr}, nil
		} else if !isNotFound(err) {
			return nil, err
		}
		return &redirectTo{"account", "/accounts/" + addr}, nil
	}
	return nil, nil
}
