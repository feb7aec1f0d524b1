package explorer

import (
	"encoding/json"
	"html/template"
	"strconv"
	"strings"
	"time"
)

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	"time": func(ns int64) string {
		if ns == 0 {
			return ""
		}
		return time.Unix(0, ns).UTC().Format("2006-01-02 15:04:05 UTC")
	},
	// amount renders base units (upin) as PIN with six decimals, trailing
	// zeros trimmed.
	"amount": func(v any) string {
		var n int64
		switch x := v.(type) {
		case int64:
			n = x
		case uint64:
			n = int64(x)
		case int:
			n = int64(x)
		}
		neg := n < 0
		if neg {
			n = -n
		}
		whole, frac := n/1_000_000, n%1_000_000
		s := groupDigits(strconv.FormatInt(whole, 10))
		if frac != 0 {
			s += "." + strings.TrimRight(strconv.FormatInt(frac+1_000_000, 10)[1:], "0")
		}
		if neg {
			s = "-" + s
		}
		return s + " PIN"
	},
	// bps renders basis points as a percentage ("5%", "2.5%").
	"bps": func(v uint32) string {
		s := strconv.FormatUint(uint64(v/100), 10)
		if r := v % 100; r != 0 {
			s += "." + strings.TrimRight(strconv.FormatUint(uint64(r+100), 10)[1:], "0")
		}
		return s + "%"
	},
	"short": func(s string) string {
		if len(s) <= 16 {
			return s
		}
		return s[:8] + "…" + s[len(s)-6:]
	},
	"json": func(v any) (template.JS, error) {
		b, err := json.Marshal(v)
		return template.JS(b), err
	},
	"status": func(code uint32) string {
		if code == 0 {
			return "ok"
		}
		return "failed (" + strconv.FormatUint(uint64(code), 10) + ")"
	},
	"deg":       func(e7 int64) float64 { return float64(e7) / 1e7 },
	"isAddress": func(s string) bool { return strings.HasPrefix(s, "pin1") && len(s) > 30 },
}

func groupDigits(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}
