package ledger

import "testing"

func TestBoundedSet(t *testing.T) {
	st := NewMemStore()
	s := BoundedSet{Prefix: []byte{0x40, 'o'}, Noun: "oracle", FullCode: CodeTooLarge}
	a, b, c := AddressOf([]byte("a")), AddressOf([]byte("b")), AddressOf([]byte("c"))
	for _, m := range []Address{b, a} {
		if e := s.CheckRoom(st, m[:], 2); e != nil {
			t.Fatal(e)
		}
		s.Put(st, m[:], []byte{1})
	}
	if e := s.CheckRoom(st, c[:], 2); e == nil || e.Code != CodeTooLarge || e.Msg != "the oracle set has 2 oracles, at most 2 allowed" {
		t.Fatalf("full set: got %v", e)
	}
	if e := s.CheckRoom(st, a[:], 2); e != nil {
		t.Fatalf("a member of a full set must fit: %v", e)
	}
	var got []Address
	s.Each(st, func(m, _ []byte) bool {
		x, _ := AddressFromBytes(m)
		got = append(got, x)
		return true
	})
	if len(got) != 2 || s.Len(st) != 2 || !s.Has(st, a[:]) || s.Has(st, c[:]) {
		t.Fatalf("members %v", got)
	}
	if string(got[0][:]) > string(got[1][:]) {
		t.Errorf("members not in key order")
	}
	s.Remove(st, a[:])
	if s.Has(st, a[:]) || s.Len(st) != 1 || s.Get(st, b[:]) == nil {
		t.Errorf("remove: len %d", s.Len(st))
	}
}

func TestCounters(t *testing.T) {
	st := NewMemStore()
	k := []byte{0x40, 1}
	if GetU64(st, k) != 0 {
		t.Fatal("absent counter is not 0")
	}
	SetU64(st, k, 7)
	if GetU64(st, k) != 7 {
		t.Fatal("counter did not read back")
	}
	SetU64(st, k, 0)
	if st.Get(k) != nil {
		t.Fatal("a zero counter was kept")
	}
}

func TestReadU64(t *testing.T) {
	if ReadU64(nil) != 0 || ReadU64([]byte{}) != 0 {
		t.Fatal("an absent value must read as 0")
	}
	if got := ReadU64(U64(1<<40 + 7)); got != 1<<40+7 {
		t.Fatalf("round trip: %d", got)
	}
	for _, n := range []int{1, 7, 9, 16} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("a %d-byte value read without a panic", n)
				}
			}()
			ReadU64(make([]byte, n))
		}()
	}
}
