package app

import (
	"strconv"
	"unicode/utf8"

	"github.com/depin-network/depin/internal/ledger"
)

// appendTxRecordJSON appends exactly the bytes encoding/json.Marshal gives
// for r (field order, omitempty, escaping), without reflection: the tx
// index writes one record per transaction in FinalizeBlock, and
// json.Marshal was most of that cost. TestTxRecordJSONMatchesStdlib holds
// it to json.Marshal; internal/query reads the records with json.Unmarshal.
func appendTxRecordJSON(b []byte, r *TxRecord) []byte {
	b = append(b, `{"hash":`...)
	b = appendJSONString(b, r.Hash)
	b = append(b, `,"height":`...)
	b = strconv.AppendInt(b, r.Height, 10)
	b = append(b, `,"index":`...)
	b = strconv.AppendInt(b, int64(r.Index), 10)
	b = append(b, `,"code":`...)
	b = strconv.AppendUint(b, uint64(r.Code), 10)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, r.Status)
	if r.Log != "" {
		b = append(b, `,"log":`...)
		b = appendJSONString(b, r.Log)
	}
	if len(r.Events) > 0 {
		b = append(b, `,"events":`...)
		b = appendEventsJSON(b, r.Events)
	}
	return append(b, '}')
}

// appendEventsJSON encodes events as json.Marshal does: ledger.Event and
// ledger.Attr have no tags, so the keys are the Go field names.
func appendEventsJSON(b []byte, evs []ledger.Event) []byte {
	b = append(b, '[')
	for i, e := range evs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"Type":`...)
		b = appendJSONString(b, e.Type)
		b = append(b, `,"Attrs":`...)
		if e.Attrs == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for j, a := range e.Attrs {
				if j > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"Key":`...)
				b = appendJSONString(b, a.Key)
				b = append(b, `,"Value":`...)
				b = appendJSONString(b, a.Value)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does with HTML escaping on
// (its default): <, > and & as \u003c, \u003e, \u0026; control characters
// as \b, \f, \n, \r, \t or \u00XX; invalid UTF-8 as \ufffd; U+2028 and
// U+2029 as \u2028 and \u2029 (encoding/json encode.go, appendString).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
