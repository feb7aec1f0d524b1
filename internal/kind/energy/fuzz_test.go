package energy

import (
	"slices"
	"testing"

	"github.com/depin-network/depin/internal/kind"
)

// FuzzRead feeds hostile read bodies, attributes and baselines: nothing
// panics, and only an accepted reason carries energy.
func FuzzRead(f *testing.F) {
	f.Add(EncodeRead(nil), EncodeAttributes(solar()), uint64(0), uint64(0), int64(0))
	f.Add([]byte{0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, []byte{0x08, 0x01}, uint64(1<<63), uint64(5), int64(-1))
	f.Fuzz(func(t *testing.T, body, attrs []byte, prevInterval, prevCounter uint64, now int64) {
		if err := (Kind{}).CheckReport(TypeRead, body, nil); err != nil {
			return
		}
		if (Kind{}).CheckAttributes(defaultKindParams(), attrs) != nil {
			return
		}
		rd, _ := DecodeRead(body)
		a, _ := DecodeAttributes(attrs)
		prev := &Baseline{Interval: prevInterval, Imported: prevCounter, Exported: prevCounter, Produced: prevCounter}
		reason, d := Check(DefaultParams(), a, prev, rd, now)
		if reason != ReasonValid && d != (Delta{}) {
			t.Fatalf("%s carries %+v", reason, d)
		}
		if !Accepted(reason) && !slices.Contains(CheckRejections(), reason) {
			t.Fatalf("Check refused with %q, which CheckRejections does not list", reason)
		}
		_ = Flex(DefaultParams(), a, rd.SocWh)
		in := kind.Input{Params: defaultKindParams(), End: 1 << 62, Devices: []kind.Device{{ID: devAddr(0), Attributes: attrs}},
			Reports: []kind.Report{{Device: devAddr(0), Received: now, Type: TypeRead, Body: body}}}
		if _, err := Score(in); err != nil {
			t.Fatalf("Score: %v", err)
		}
	})
}
