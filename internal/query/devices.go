package query

import (
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/depin-network/depin/internal/device"
	"github.com/depin-network/depin/internal/kind"
	"github.com/depin-network/depin/internal/ledger"
)

// maxPageKey bounds a page key: the longest registry key suffix is an
// index entry (8-byte cell + 20-byte id) or a location (20-byte id + 4).
const maxPageKey = 64

// page reads "limit" and "page_key".
func (r *request) page() (device.Page, *Error) {
	p := device.Page{Limit: DefaultLimit}
	if s := r.args.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			return p, errorf(CodeBadRequest, "limit %q must be a number from 1 to %d", s, MaxLimit)
		}
		p.Limit = n
	}
	if s := r.args.Get("page_key"); s != "" {
		k, err := hex.DecodeString(s)
		if err != nil || len(k) > maxPageKey {
			return p, errorf(CodeBadRequest, "page_key %q is not a page key this node returned", s)
		}
		p.Key = k
	}
	return p, nil
}

func nextKey(k []byte) string {
	if k == nil {
		return ""
	}
	return hex.EncodeToString(k)
}

// filter reads "owner", "cell", "kind" and "active".
func (r *request) filter() (device.Filter, *Error) {
	var f device.Filter
	if s := r.args.Get("owner"); s != "" {
		a, err := ledger.ParseAddress(s)
		if err != nil {
			return f, errorf(CodeBadRequest, "owner: %v", err)
		}
		f.Owner = &a
	}
	if s := r.args.Get("cell"); s != "" {
		c, err := ParseCell(s)
		if err != nil {
			return f, errorf(CodeBadRequest, "%v", err)
		}
		f.Cell = &c
	}
	if s := r.args.Get("kind"); s != "" {
		if !kind.ValidName(s) {
			return f, errorf(CodeBadRequest, "kind %q is not a kind name (lowercase letters, digits and _)", s)
		}
		f.Kind = s
	}
	if s := r.args.Get("active"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return f, errorf(CodeBadRequest, "active %q must be true or false", s)
		}
		f.Active = b
	}
	return f, nil
}

func (r *request) devices() (any, *Error) {
	f, e := r.filter()
	if e != nil {
		return nil, e
	}
	p, e := r.page()
	if e != nil {
		return nil, e
	}
	ds, next := device.ListDevices(r.st, f, p)
	out := DeviceList{Devices: make([]Device, len(ds)), NextPageKey: nextKey(next)}
	for i, d := range ds {
		out.Devices[i] = deviceOf(d)
	}
	return out, nil
}

func (r *request) device(s string) (any, *Error) {
	id, e := parseID("device", s)
	if e != nil {
		return nil, e
	}
	d, ok := device.GetDevice(r.st, id)
	if !ok {
		return nil, errorf(CodeNotFound, "no device %s", id)
	}
	return deviceOf(d), nil
}

func (r *request) locations(s string) (any, *Error) {
	id, e := parseID("device", s)
	if e != nil {
		return nil, e
	}
	p, e := r.page()
	if e != nil {
		return nil, e
	}
	if _, ok := device.GetDevice(r.st, id); !ok {
		return nil, errorf(CodeNotFound, "no device %s", id)
	}
	ls, next := device.Locations(r.st, id, p)
	out := LocationList{Device: id.String(), Locations: make([]Location, len(ls)), NextPageKey: nextKey(next)}
	for i, l := range ls {
		out.Locations[i] = locationOf(l)
	}
	return out, nil
}

func (r *request) makers() (any, *Error) {
	p, e := r.page()
	if e != nil {
		return nil, e
	}
	ms, next := device.ListMakers(r.st, p)
	out := MakerList{Makers: make([]Maker, len(ms)), NextPageKey: nextKey(next)}
	for i, m := range ms {
		out.Makers[i] = makerOf(m)
	}
	return out, nil
}

func (r *request) maker(s string) (any, *Error) {
	id, e := parseID("maker", s)
	if e != nil {
		return nil, e
	}
	m, ok := device.GetMaker(r.st, id)
	if !ok {
		return nil, errorf(CodeNotFound, "no maker %s", id)
	}
	return makerOf(m), nil
}

// ParseCell reads an H3 cell written in hex (with or without "0x") and
// checks that it is a valid cell.
func ParseCell(s string) (uint64, error) {
	t := s
	if len(t) > 2 && (t[:2] == "0x" || t[:2] == "0X") {
		t = t[2:]
	}
	c, err := strconv.ParseUint(t, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("cell %q is not a hex H3 index", s)
	}
	if !device.IsValidCell(c) {
		return 0, fmt.Errorf("cell %q is not a valid H3 cell", s)
	}
	return c, nil
}
