package credit

import (
	"github.com/depin-network/depin/internal/ledger"
	"github.com/depin-network/depin/internal/params"
)

// Parameters of the credit module.
var (
	// PriceUpin is what one credit costs in burned upin. Helium fixes
	// $1 = 10^5 DC; governance sets the upin price here.
	PriceUpin = params.Spec{Name: "credit.price_upin", Default: 10, Min: 1, Max: 1_000_000_000, Unit: "upin",
		Doc: "upin burned per credit bought"}
	// MaxBuy bounds one purchase.
	MaxBuy = params.Spec{Name: "credit.max_buy", Default: 1_000_000_000_000, Min: 1, Max: 1_000_000_000_000_000, Unit: "credits",
		Doc: "most credits bought in one message"}
	// RemintBps is the share of the PIN burned for credits during an epoch
	// that is re-minted into that epoch's emission.
	RemintBps = params.Spec{Name: "credit.remint_bps", Default: 5_000, Min: 0, Max: 10_000, Unit: "bps",
		Doc: "share of the PIN burned for credits in an epoch re-minted into its emission"}
	// RemintCap caps the re-mint of one epoch (HIP-20 net emissions cap).
	RemintCap = params.Spec{Name: "credit.remint_cap_upin", Default: 100_000_000, Min: 0, Max: 1_000_000_000_000_000, Unit: "upin",
		Doc: "most upin re-minted into one epoch's emission"}
)

// Specs lists the credit module's parameters.
func Specs() []params.Spec { return []params.Spec{PriceUpin, MaxBuy, RemintBps, RemintCap} }

// Result codes of the credit module (the credit range is 330-339).
const (
	CodeInsufficientCredits ledger.Code = 330 // the payer's credits cannot cover the amount
)

func init() {
	ledger.RegisterCode(CodeInsufficientCredits, "insufficient_credits")
}
