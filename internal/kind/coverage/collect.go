package coverage

import (
	"fmt"

	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
	coveragev1 "github.com/depin-network/depin/proto/depin/kind/coverage/v1"
)

// collector is the kind's kind.Collector: it decodes each report's body as
// it arrives, keeping beacons as Beacon values and witnesses in columns
// (WitnessBuilder), so that the oracle never holds an epoch's reports as
// kind.Report values and bodies. ToInput builds its Input from one, from
// Input.Collected or from Input.Reports, so both paths give the same Input.
type collector struct {
	beacons  []Beacon
	wb       *WitnessBuilder
	cols     *Witnesses // once done
	unscored uint64
	err      error // the first body that does not decode
}

// NewCollector implements kind.Collecting.
func (Kind) NewCollector() kind.Collector { return newCollector() }

func newCollector() *collector { return &collector{wb: NewWitnessBuilder(0)} }

// Add implements kind.Collector.
func (c *collector) Add(r *kind.Report) {
	if c.err != nil {
		return
	}
	if c.wb == nil {
		c.err = fmt.Errorf("coverage: report %x collected after scoring: %w", r.ID[:4], ErrInvalidInput)
		return
	}
	m, err := decodeBody(r.Type, r.Body, nil)
	if err != nil {
		c.err = fmt.Errorf("coverage: report %x: %w", r.ID[:4], err)
		return
	}
	switch b := m.(type) {
	case *coveragev1.Beacon:
		region, err := ParseRegion(b.GetRegion())
		if err != nil {
			region = RegionUnknown
		}
		c.beacons = append(c.beacons, Beacon{
			ID: r.ID, Device: r.Device, Received: r.Received, Timestamp: r.Timestamp,
			EntropyHeight: r.EntropyHeight, EntropyHash: r.EntropyHash,
			LocalEntropy: b.GetLocalEntropy(), Payload: b.GetPayload(), FrequencyHz: b.GetFrequency(),
			TxPowerDBm: ddBmToDBmCeil(b.GetTxPower()), Region: region,
		})
	case *coveragev1.Witness:
		c.wb.Add(&Witness{
			ID: r.ID, Device: r.Device, Beaconer: ledger.AddressOf(b.GetBeaconer()), Received: r.Received,
			Timestamp: r.Timestamp, Payload: b.GetPayload(), FrequencyHz: b.GetFrequency(),
			SignalDdBm: b.GetSignal(), SNRcB: b.GetSnr(),
		})
	default:
		c.unscored++
	}
}

// done returns the collected beacons, witness columns and the count of
// reports the scorer does not read. The collector takes no more reports
// after it; done may be called again and returns the same.
func (c *collector) done() ([]Beacon, *Witnesses, uint64, error) {
	if c.err != nil {
		return nil, nil, 0, c.err
	}
	if c.wb != nil {
		c.cols, c.wb = c.wb.Done(), nil
	}
	return c.beacons, c.cols, c.unscored, nil
}
