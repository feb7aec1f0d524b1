package client

import (
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/depin-network/depin/internal/ledger"
)

// Sentinels wrapped by parsing errors.
var (
	ErrAmount     = errors.New("invalid amount")
	ErrCoordinate = errors.New("invalid coordinate")
)

// Denom names the token's base unit, its display unit and the decimals
// between them ("upin", "pin", 6: 1pin = 1000000upin).
type Denom struct {
	Base     string
	Display  string
	Decimals uint32
}

// DenomOf derives the display unit from the base denom by the Cosmos
// convention that a "u" prefix means micro (10^-6): "upin" with 6 decimals
// displays as "pin". Any other base has no display unit.
func DenomOf(base string, decimals uint32) Denom {
	d := Denom{Base: base, Decimals: decimals}
	if len(base) > 1 && base[0] == 'u' && decimals == 6 {
		d.Display = base[1:]
	}
	return d
}

// maxDecimals bounds decimals so that 10^decimals fits in a uint64.
const maxDecimals = 19

// ParseAmount reads an amount in base units from "1000upin" or, when the
// denom has a display unit, "1.5pin" (at most Decimals places). It uses
// exact integer arithmetic: an amount that overflows uint64, has too many
// decimals, no or another unit, a sign or any stray character is an error.
func (d Denom) ParseAmount(s string) (uint64, error) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	num, unit := s[:i], s[i:]
	switch {
	case num == "":
		return 0, fmt.Errorf("amount %q: %w: write it like 1000%s", s, ErrAmount, d.Base)
	case unit == d.Base:
		if strings.Contains(num, ".") {
			return 0, fmt.Errorf("amount %q: %w: %s is the smallest unit and takes no decimals", s, ErrAmount, d.Base)
		}
		return amountFixed(s, num, 0)
	case unit != "" && unit == d.Display:
		if d.Decimals > maxDecimals {
			return 0, fmt.Errorf("amount %q: %w: %d decimals are too many", s, ErrAmount, d.Decimals)
		}
		return amountFixed(s, num, int(d.Decimals))
	case unit == "":
		return 0, fmt.Errorf("amount %q: %w: no unit, write %s%s%s", s, ErrAmount, num, d.Base, d.displayHint(num))
	}
	return 0, fmt.Errorf("amount %q: %w: unknown unit %q, use %s%s", s, ErrAmount, unit, d.Base, d.orDisplay())
}

func (d Denom) orDisplay() string {
	if d.Display == "" {
		return ""
	}
	return " or " + d.Display
}

func (d Denom) displayHint(num string) string {
	if d.Display == "" {
		return ""
	}
	return " or " + num + d.Display
}

// FormatAmount renders base units in the display unit without trailing
// zeros ("1.5pin"), or in the base unit when there is no display unit.
func (d Denom) FormatAmount(v uint64) string {
	if d.Display == "" || d.Decimals == 0 || d.Decimals > maxDecimals {
		return strconv.FormatUint(v, 10) + d.Base
	}
	p := pow10(int(d.Decimals))
	whole, frac := v/p, v%p
	if frac == 0 {
		return strconv.FormatUint(whole, 10) + d.Display
	}
	fs := strconv.FormatUint(frac, 10)
	fs = strings.Repeat("0", int(d.Decimals)-len(fs)) + fs
	return strconv.FormatUint(whole, 10) + "." + strings.TrimRight(fs, "0") + d.Display
}

func pow10(n int) uint64 {
	p := uint64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

func amountFixed(orig, num string, decimals int) (uint64, error) {
	v, why := parseFixed(num, decimals)
	if why != "" {
		return 0, fmt.Errorf("amount %q: %w: %s", orig, ErrAmount, why)
	}
	return v, nil
}

// parseFixed reads num ("12", "12.5") as an integer scaled by 10^decimals:
// digits, at most one dot with digits on both sides, at most decimals
// fraction digits, no overflow. It returns why num is refused, or "".
func parseFixed(num string, decimals int) (uint64, string) {
	whole, frac, hasDot := strings.Cut(num, ".")
	if whole == "" || (hasDot && frac == "") || strings.Contains(frac, ".") {
		return 0, "malformed number"
	}
	if len(frac) > decimals {
		return 0, fmt.Sprintf("more than %d decimal places", decimals)
	}
	digits := whole + frac + strings.Repeat("0", decimals-len(frac))
	var v uint64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, "malformed number"
		}
		hi, lo := bits.Mul64(v, 10)
		if hi != 0 {
			return 0, "too large"
		}
		var ok bool
		if v, ok = ledger.Add(lo, uint64(c-'0')); !ok {
			return 0, "too large"
		}
	}
	return v, ""
}

// E7 is the scale of coordinates in internal/geo: 1e-7 degrees.
const E7 = 10_000_000

// ParseDegreesE7 reads a decimal coordinate in degrees ("38.7223",
// "-9.1393") exactly into 1e-7 degrees, the integer unit internal/geo
// takes. At most 7 decimal places (about 1 cm); no floats are involved.
func ParseDegreesE7(s string) (int64, error) {
	neg := false
	num := s
	if strings.HasPrefix(num, "-") {
		neg, num = true, num[1:]
	} else if strings.HasPrefix(num, "+") {
		num = num[1:]
	}
	v, why := parseFixed(num, 7)
	if why == "" && v > 180*E7 {
		why = "beyond 180 degrees"
	}
	if why != "" {
		return 0, fmt.Errorf("coordinate %q: %w: %s", s, ErrCoordinate, why)
	}
	if neg {
		return -int64(v), nil
	}
	return int64(v), nil
}
