package explorer

import (
	"reflect"
	"testing"

	"github.com/depin-network/depin/internal/apidoc"
)

// TestPagesQuote64: every page's JSON sends 64-bit integers as strings.
func TestPagesQuote64(t *testing.T) {
	for _, v := range []any{Home{}, Blocks{}, BlockPage{}, TxPage{}, Account{}, Devices{}, DevicePage{}, Epochs{},
		EpochPage{}, MarketPage{}, GovernancePage{}, ValidatorsPage{}, SearchPage{}, MapView{}} {
		if bare := apidoc.Unquoted64(reflect.TypeOf(v)); len(bare) > 0 {
			t.Errorf("%T: 64-bit fields sent as bare numbers: %v", v, bare)
		}
	}
}
