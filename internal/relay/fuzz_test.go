package relay

import (
	"testing"

	"github.com/depin-network/depin/internal/ledger"
)

// FuzzDecodeReceipt: the decoder refuses with a code or returns a receipt
// whose re-encoding decodes to the same receipt.
func FuzzDecodeReceipt(f *testing.F) {
	f.Add(ledger.Encode(receipt("alice", "r1", 12345)))
	f.Add([]byte{0x0a, 0x01, 0x41})
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, e := DecodeReceipt(raw)
		if e != nil {
			if e.Code == ledger.CodeOK {
				t.Fatal("a refusal without a code")
			}
			return
		}
		r2, e := DecodeReceipt(ledger.Encode(r))
		if e != nil || r2.Bytes != r.Bytes || string(r2.Consumer) != string(r.Consumer) {
			t.Fatalf("re-encoded receipt: %v", e)
		}
	})
}

// FuzzDecodeTicket does the same for tickets.
func FuzzDecodeTicket(f *testing.F) {
	f.Add(ledger.Encode(ticket("alice", "r1", 1, 400, 1<<62, []byte("rand"))))
	f.Add([]byte{0x20, 0x05})
	f.Fuzz(func(t *testing.T, raw []byte) {
		tk, e := DecodeTicket(raw)
		if e != nil {
			if e.Code == ledger.CodeOK {
				t.Fatal("a refusal without a code")
			}
			return
		}
		t2, e := DecodeTicket(ledger.Encode(tk))
		if e != nil || t2.Nonce != tk.Nonce || t2.FaceValue != tk.FaceValue {
			t.Fatalf("re-encoded ticket: %v", e)
		}
	})
}
