package ledger

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Readable genesis records: a module describes its keys (a tag byte, then
// typed parts) and values (a protobuf record, a u64, nothing, raw bytes)
// with RecordSpecs, and ExportRecords writes its state as JSON a person can
// read: the record's name, its key parts by name, its value with protobuf
// field names, addresses in bech32, other bytes in hex and 64-bit integers
// as decimal strings. ImportRecords writes the same bytes back. An entry no
// spec reads exactly (an unknown tag, a value that does not re-encode to
// the stored bytes) is exported raw (type "raw", key and value in hex), so
// an export always restores the state bit for bit.

// PartKind is the type of one part of a key.
type PartKind int

// Key part kinds.
const (
	PartAddress PartKind = iota // AddressLen bytes, shown in bech32
	PartU64                     // 8 bytes big-endian, shown in decimal
	PartByte                    // one byte, shown as a one-character string
)

// KeyPart is a named part of a key.
type KeyPart struct {
	Name string
	Kind PartKind
}

// ValueKind is the type of a record's value.
type ValueKind int

// Value kinds.
const (
	ValueProto   ValueKind = iota // a protobuf record (RecordSpec.New)
	ValueU64                      // 8 bytes big-endian, shown in decimal
	ValueEmpty                    // no bytes: the key is the record
	ValueBytes                    // any bytes, shown in hex
	ValueAddress                  // AddressLen bytes, shown in bech32
)

// RecordSpec describes the entries of a module under one tag: the key is
// the module prefix, Tag, then the parts of Key.
type RecordSpec struct {
	Tag   byte
	Name  string
	Key   []KeyPart
	Value ValueKind
	// New returns an empty record when Value is ValueProto.
	New func() proto.Message
}

// Record is one exported entry.
type Record struct {
	Type string `json:"type"`
	// Key holds the key parts by name; RawKey the key after the prefix in
	// hex for a raw record.
	Key    map[string]string `json:"key,omitempty"`
	RawKey string            `json:"raw_key,omitempty"`
	Value  json.RawMessage   `json:"value,omitempty"`
}

// RawRecord is the Type of an entry exported as raw hex.
const RawRecord = "raw"

// ExportRecords returns the entries under prefix as records, in key order.
func ExportRecords(st Store, prefix byte, specs []RecordSpec) ([]Record, error) {
	var out []Record
	var err error
	IteratePrefix(st, []byte{prefix}, func(k, v []byte) bool {
		r, ok := readable(k[1:], v, specs)
		if !ok {
			raw, e := json.Marshal(hex.EncodeToString(v))
			if e != nil {
				err = e
				return false
			}
			r = Record{Type: RawRecord, RawKey: hex.EncodeToString(k[1:]), Value: raw}
		}
		out = append(out, r)
		return true
	})
	return out, err
}

func specOf(specs []RecordSpec, tag byte) (RecordSpec, bool) {
	for _, s := range specs {
		if s.Tag == tag {
			return s, true
		}
	}
	return RecordSpec{}, false
}

// readable renders one entry (key without the prefix) by its spec; false
// when no spec reads it exactly.
func readable(k, v []byte, specs []RecordSpec) (Record, bool) {
	if len(k) == 0 {
		return Record{}, false
	}
	s, ok := specOf(specs, k[0])
	if !ok {
		return Record{}, false
	}
	r := Record{Type: s.Name, Key: map[string]string{}}
	rest := k[1:]
	for _, p := range s.Key {
		n := partLen(p.Kind)
		if len(rest) < n {
			return Record{}, false
		}
		r.Key[p.Name] = showPart(p.Kind, rest[:n])
		rest = rest[n:]
	}
	if len(rest) != 0 {
		return Record{}, false
	}
	if len(r.Key) == 0 {
		r.Key = nil
	}
	val, err := showValue(s, v)
	if err != nil {
		return Record{}, false
	}
	if back, err := parseValue(s, val); err != nil || !bytes.Equal(back, v) {
		return Record{}, false
	}
	r.Value = val
	return r, true
}

// ImportRecords writes records under prefix. Keys must be strictly
// ascending, as ExportRecords writes them.
func ImportRecords(st Store, prefix byte, specs []RecordSpec, recs []Record) error {
	var prev []byte
	for i, r := range recs {
		k, v, err := entryOf(r, specs)
		if err != nil {
			return fmt.Errorf("record %d (%s): %w", i, r.Type, err)
		}
		k = append([]byte{prefix}, k...)
		if prev != nil && bytes.Compare(prev, k) >= 0 {
			return fmt.Errorf("record %d (%s): keys are not in ascending order", i, r.Type)
		}
		st.Set(k, v)
		prev = k
	}
	return nil
}

// entryOf returns a record's key (without the prefix) and value.
func entryOf(r Record, specs []RecordSpec) (k, v []byte, err error) {
	if r.Type == RawRecord {
		var hv string
		if err := json.Unmarshal(r.Value, &hv); err != nil {
			return nil, nil, fmt.Errorf("value is not a hex string")
		}
		k, err1 := hex.DecodeString(r.RawKey)
		v, err2 := hex.DecodeString(hv)
		if err1 != nil || err2 != nil || len(k) == 0 {
			return nil, nil, fmt.Errorf("key and value must be hex")
		}
		return k, v, nil
	}
	var s RecordSpec
	found := false
	for _, x := range specs {
		if x.Name == r.Type {
			s, found = x, true
		}
	}
	if !found {
		return nil, nil, fmt.Errorf("unknown record type")
	}
	if len(r.Key) != len(s.Key) {
		return nil, nil, fmt.Errorf("key has %d parts, want %d", len(r.Key), len(s.Key))
	}
	k = []byte{s.Tag}
	for _, p := range s.Key {
		text, ok := r.Key[p.Name]
		if !ok {
			return nil, nil, fmt.Errorf("key part %q missing", p.Name)
		}
		b, err := parsePart(p.Kind, text)
		if err != nil {
			return nil, nil, fmt.Errorf("key part %q: %w", p.Name, err)
		}
		k = append(k, b...)
	}
	v, err = parseValue(s, r.Value)
	if err != nil {
		return nil, nil, fmt.Errorf("value: %w", err)
	}
	return k, v, nil
}

func partLen(k PartKind) int {
	switch k {
	case PartAddress:
		return AddressLen
	case PartU64:
		return 8
	}
	return 1
}

func showPart(k PartKind, b []byte) string {
	switch k {
	case PartAddress:
		return Address(b).String()
	case PartU64:
		return strconv.FormatUint(ReadU64(b), 10)
	}
	return string(b)
}

func parsePart(k PartKind, s string) ([]byte, error) {
	switch k {
	case PartAddress:
		a, err := ParseAddress(s)
		if err != nil {
			return nil, err
		}
		return a[:], nil
	case PartU64:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("not a decimal uint64")
		}
		return U64(n), nil
	}
	if len(s) != 1 {
		return nil, fmt.Errorf("want one character")
	}
	return []byte(s), nil
}

func showValue(s RecordSpec, v []byte) (json.RawMessage, error) {
	switch s.Value {
	case ValueEmpty:
		if len(v) != 0 {
			return nil, fmt.Errorf("value not empty")
		}
		return nil, nil
	case ValueU64:
		if len(v) != 8 {
			return nil, fmt.Errorf("value is not 8 bytes")
		}
		return json.Marshal(strconv.FormatUint(ReadU64(v), 10))
	case ValueBytes:
		return json.Marshal(hex.EncodeToString(v))
	case ValueAddress:
		if len(v) != AddressLen {
			return nil, fmt.Errorf("value is not an address")
		}
		return json.Marshal(Address(v).String())
	}
	m := s.New()
	if err := (proto.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(v, m); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeMessage(&buf, m.ProtoReflect()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func parseValue(s RecordSpec, raw json.RawMessage) ([]byte, error) {
	switch s.Value {
	case ValueEmpty:
		if len(raw) != 0 && string(raw) != "null" {
			return nil, fmt.Errorf("want no value")
		}
		return []byte{}, nil
	case ValueU64, ValueBytes, ValueAddress:
		var text string
		if err := json.Unmarshal(raw, &text); err != nil {
			return nil, fmt.Errorf("want a string")
		}
		switch s.Value {
		case ValueBytes:
			return hex.DecodeString(text)
		case ValueAddress:
			a, err := ParseAddress(text)
			return a[:], err
		}
		n, err := strconv.ParseUint(text, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("not a decimal uint64")
		}
		return U64(n), nil
	}
	m := s.New()
	if err := readMessage(raw, m.ProtoReflect()); err != nil {
		return nil, err
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(m)
}

// writeMessage writes m as a JSON object: set fields in field-number
// order, by protobuf name.
func writeMessage(buf *bytes.Buffer, m protoreflect.Message) error {
	if len(m.GetUnknown()) > 0 {
		return fmt.Errorf("unknown fields")
	}
	fields := m.Descriptor().Fields()
	order := make([]protoreflect.FieldDescriptor, fields.Len())
	for i := range order {
		order[i] = fields.Get(i)
	}
	slices.SortFunc(order, func(a, b protoreflect.FieldDescriptor) int { return int(a.Number()) - int(b.Number()) })
	buf.WriteByte('{')
	first := true
	for _, fd := range order {
		if !m.Has(fd) {
			continue
		}
		if fd.IsMap() {
			return fmt.Errorf("map field %s", fd.Name())
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		name, _ := json.Marshal(string(fd.Name()))
		buf.Write(name)
		buf.WriteByte(':')
		if fd.IsList() {
			l := m.Get(fd).List()
			buf.WriteByte('[')
			for i := 0; i < l.Len(); i++ {
				if i > 0 {
					buf.WriteByte(',')
				}
				if err := writeScalar(buf, fd, l.Get(i)); err != nil {
					return err
				}
			}
			buf.WriteByte(']')
			continue
		}
		if err := writeScalar(buf, fd, m.Get(fd)); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

func writeScalar(buf *bytes.Buffer, fd protoreflect.FieldDescriptor, v protoreflect.Value) error {
	var out any
	switch fd.Kind() {
	case protoreflect.BoolKind:
		out = v.Bool()
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		out = v.Int()
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		out = v.Uint()
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		out = strconv.FormatInt(v.Int(), 10)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		out = strconv.FormatUint(v.Uint(), 10)
	case protoreflect.StringKind:
		out = v.String()
	case protoreflect.BytesKind:
		b := v.Bytes()
		if len(b) == AddressLen {
			out = Address(b).String()
		} else {
			out = hex.EncodeToString(b)
		}
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			out = string(ev.Name())
		} else {
			out = int64(v.Enum())
		}
	case protoreflect.MessageKind:
		return writeMessage(buf, v.Message())
	default:
		return fmt.Errorf("field %s of kind %s", fd.Name(), fd.Kind())
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}

// readMessage sets m's fields from a JSON object writeMessage wrote.
func readMessage(raw json.RawMessage, m protoreflect.Message) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return fmt.Errorf("want an object")
	}
	fields := m.Descriptor().Fields()
	names := make([]string, 0, len(obj))
	for name := range obj {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		val := obj[name]
		fd := fields.ByName(protoreflect.Name(name))
		if fd == nil || fd.IsMap() {
			return fmt.Errorf("unknown field %q", name)
		}
		if fd.IsList() {
			var elems []json.RawMessage
			if err := json.Unmarshal(val, &elems); err != nil {
				return fmt.Errorf("field %s: want an array", name)
			}
			l := m.Mutable(fd).List()
			for _, e := range elems {
				if fd.Kind() == protoreflect.MessageKind {
					el := l.NewElement()
					if err := readMessage(e, el.Message()); err != nil {
						return fmt.Errorf("field %s: %w", name, err)
					}
					l.Append(el)
					continue
				}
				x, err := readScalar(fd, e)
				if err != nil {
					return err
				}
				l.Append(x)
			}
			continue
		}
		if fd.Kind() == protoreflect.MessageKind {
			if err := readMessage(val, m.Mutable(fd).Message()); err != nil {
				return fmt.Errorf("field %s: %w", name, err)
			}
			continue
		}
		x, err := readScalar(fd, val)
		if err != nil {
			return err
		}
		m.Set(fd, x)
	}
	return nil
}

func readScalar(fd protoreflect.FieldDescriptor, raw json.RawMessage) (protoreflect.Value, error) {
	bad := func() (protoreflect.Value, error) {
		return protoreflect.Value{}, fmt.Errorf("field %s: bad %s value %s", fd.Name(), fd.Kind(), raw)
	}
	var text string
	isText := json.Unmarshal(raw, &text) == nil
	switch fd.Kind() {
	case protoreflect.BoolKind:
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return bad()
		}
		return protoreflect.ValueOfBool(b), nil
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		var n int32
		if json.Unmarshal(raw, &n) != nil {
			return bad()
		}
		return protoreflect.ValueOfInt32(n), nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		var n uint32
		if json.Unmarshal(raw, &n) != nil {
			return bad()
		}
		return protoreflect.ValueOfUint32(n), nil
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		n, err := strconv.ParseInt(text, 10, 64)
		if !isText || err != nil {
			return bad()
		}
		return protoreflect.ValueOfInt64(n), nil
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		n, err := strconv.ParseUint(text, 10, 64)
		if !isText || err != nil {
			return bad()
		}
		return protoreflect.ValueOfUint64(n), nil
	case protoreflect.StringKind:
		if !isText {
			return bad()
		}
		return protoreflect.ValueOfString(text), nil
	case protoreflect.BytesKind:
		if !isText {
			return bad()
		}
		if a, err := ParseAddress(text); err == nil {
			return protoreflect.ValueOfBytes(a[:]), nil
		}
		b, err := hex.DecodeString(text)
		if err != nil {
			return bad()
		}
		return protoreflect.ValueOfBytes(b), nil
	case protoreflect.EnumKind:
		if isText {
			ev := fd.Enum().Values().ByName(protoreflect.Name(text))
			if ev == nil {
				return bad()
			}
			return protoreflect.ValueOfEnum(ev.Number()), nil
		}
		var n int32
		if json.Unmarshal(raw, &n) != nil {
			return bad()
		}
		return protoreflect.ValueOfEnum(protoreflect.EnumNumber(n)), nil
	}
	return bad()
}
