package energy

import (
	"google.golang.org/protobuf/proto"

	"github.com/depin-network/depin/internal/device"
	kenergy "github.com/depin-network/depin/internal/kind/energy"
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
	"github.com/depin-network/depin/internal/segment"
	"github.com/depin-network/depin/internal/sig"
	energyv1 "github.com/depin-network/depin/proto/depin/energy/v1"
	reportv1 "github.com/depin-network/depin/proto/depin/report/v1"
)

// handleRead commits a device-signed interval read: the very report the
// meter sends to ingest, so the chain and the oracles judge the same bytes.
// The device's key (certified by its maker in the registry) signs the read;
// the chain checks it with the kind's rules (kenergy.Check) against the
// device's last accepted read. A rejected read fails with the code of its
// reason and changes nothing.
func handleRead(ctx *ledger.Context, raw []byte) *ledger.Error {
	var m energyv1.MsgRead
	if e := ledger.Unmarshal(TypeRead, raw, &m); e != nil {
		return e
	}
	st := ctx.Store
	var sr reportv1.SignedReport
	var rep reportv1.Report
	if proto.Unmarshal(m.Report, &sr) != nil || proto.Unmarshal(sr.Report, &rep) != nil {
		return ledger.Errorf(CodeBadReport, "the report does not decode")
	}
	if rep.Kind != kenergy.Name || rep.Type != kenergy.TypeRead {
		return ledger.Errorf(CodeBadReport, "a %s %s report is not an energy read", rep.Kind, rep.Type)
	}
	if !sig.Verify(rep.PubKey, segment.Domain, sr.Report, sr.Signature) {
		return ledger.Errorf(CodeBadSignature, "the report's signature does not verify under its key")
	}
	d, ok := device.DeviceByPubKey(st, rep.PubKey)
	if !ok {
		return ledger.Errorf(CodeUnknownMeter, "no device has the report's key")
	}
	kp := kindParams(st)
	dev, e := energyDevice(st, kp, addrOf(d.Id))
	if e != nil {
		return e
	}
	rd, err := kenergy.DecodeRead(rep.Body)
	if err != nil {
		return ledger.Errorf(CodeBadReport, "%v", err)
	}
	now := max(ctx.Time, 0) / 1e9
	end, _ := kenergy.IntervalEnd(rd.Interval, kp.IntervalSeconds)
	if end+params.Get(st, ReadWindow) <= uint64(now) {
		return ledger.Errorf(CodeReadLate, "interval %d settled: reads close %d s after it ends", rd.Interval, params.Get(st, ReadWindow))
	}
	meter, known := GetMeter(st, dev.id)
	var prev *kenergy.Baseline
	if known {
		prev = &kenergy.Baseline{Interval: meter.Interval, Imported: meter.ImportedWh, Exported: meter.ExportedWh,
			Produced: meter.ProducedWh, Soc: meter.SocWh}
	}
	reason, delta := kenergy.Check(kp, dev.attrs, prev, rd, now)
	if !kenergy.Accepted(reason) {
		return ledger.Errorf(readCode(reason), "interval %d read of %s: %s", rd.Interval, dev.id, reason)
	}
	meter.Interval, meter.ImportedWh, meter.ExportedWh, meter.ProducedWh, meter.SocWh = rd.Interval, rd.ImportedWh, rd.ExportedWh, rd.ProducedWh, rd.SocWh
	meter.Reads++
	st.Set(key(tagMeter, dev.id[:]), ledger.Encode(meter))
	ir := &energyv1.IntervalRead{Device: dev.id[:], Zone: dev.zone, Interval: rd.Interval, Complete: reason == kenergy.ReasonValid,
		ImportedWh: delta.Imported, ExportedWh: delta.Exported, ProducedWh: delta.Produced, SocWh: rd.SocWh, RatedPowerW: dev.attrs.RatedPowerW, Renewable: dev.attrs.Renewable}
	st.Set(key(tagRead, iz(rd.Interval, dev.zone), dev.id[:]), ledger.Encode(ir))
	if ir.Complete && delta.Imported > 0 {
		k := key(tagConsumed, dev.owner[:])
		if v, ok := ledger.Add(ledger.GetU64(st, k), delta.Imported); ok {
			ledger.SetU64(st, k, v)
		}
	}
	ctx.Emit("energy.read", ledger.A("device", dev.id.String()), ledger.AU64("zone", dev.zone), ledger.AU64("interval", rd.Interval),
		ledger.A("reason", reason), ledger.AU64("imported_wh", delta.Imported), ledger.AU64("exported_wh", delta.Exported),
		ledger.AU64("produced_wh", delta.Produced), ledger.AU64("soc_wh", rd.SocWh))
	return nil
}
