package ledger

// BoundedSet is a set of members stored under one key prefix, each member
// a key suffix (an address), its value a record, with a size bound read
// from params by the caller: the pattern of the ingest operator set and the
// oracle set, written once. Members iterate in key order.
type BoundedSet struct {
	// Prefix is the key prefix of the members.
	Prefix []byte
	// Noun names a member in messages ("operator", "oracle").
	Noun string
	// FullCode is the result code when the set is full.
	FullCode Code
}

func (s BoundedSet) key(member []byte) []byte {
	k := make([]byte, 0, len(s.Prefix)+len(member))
	return append(append(k, s.Prefix...), member...)
}

// Get returns a member's value, nil if it is not in the set.
func (s BoundedSet) Get(st Store, member []byte) []byte { return st.Get(s.key(member)) }

// Has reports whether member is in the set.
func (s BoundedSet) Has(st Store, member []byte) bool { return st.Get(s.key(member)) != nil }

// Len counts the members (sets are bounded and small).
func (s BoundedSet) Len(st Store) uint64 {
	var n uint64
	IteratePrefix(st, s.Prefix, func(_, _ []byte) bool { n++; return true })
	return n
}

// Each calls fn with every member and its value in key order until fn
// returns false.
func (s BoundedSet) Each(st Store, fn func(member, value []byte) bool) {
	IteratePrefix(st, s.Prefix, func(k, v []byte) bool { return fn(k[len(s.Prefix):], v) })
}

// CheckRoom fails with FullCode when adding a new member would exceed max
// ("the oracle set has 32 oracles, at most 32 allowed"). A member already
// in the set always fits.
func (s BoundedSet) CheckRoom(st Store, member []byte, max uint64) *Error {
	if s.Has(st, member) {
		return nil
	}
	if n := s.Len(st); n >= max {
		return Errorf(s.FullCode, "the %s set has %d %ss, at most %d allowed", s.Noun, n, s.Noun, max)
	}
	return nil
}

// Put adds or replaces a member. Call CheckRoom first.
func (s BoundedSet) Put(st Store, member, value []byte) { st.Set(s.key(member), value) }

// Remove deletes a member.
func (s BoundedSet) Remove(st Store, member []byte) { st.Delete(s.key(member)) }
