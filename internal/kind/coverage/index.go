package coverage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/depin-network/depin/internal/ledger"
)

// Dense indices. Every address the epoch mentions (hotspots, activity
// entries, beaconers, witnesses, the beaconers witnesses name) gets a device
// id once, by sorting all mentions together; ids follow address order. Each
// report then carries its hotspot index and device id as integers, and the
// scoring loop reads arrays instead of hashing 20-byte addresses into maps
// that stop fitting in cache at 100k devices (BENCHMARKS.md, epoch).

// device is one distinct address.
type device struct {
	addr ledger.Address
	hot  int32 // index in Input.Hotspots, -1 if not registered
	act  int32 // index in Input.Activity, -1 if none
}

// beaconRef resolves a beacon's device.
type beaconRef struct {
	hot, dev int32
}

// addrRef resolves one of the witnesses' interned addresses.
type addrRef struct {
	hot, dev int32
}

func addrKey(a *ledger.Address, ref int) sortKey {
	return sortKey{
		hi: binary.BigEndian.Uint64(a[0:8]),
		lo: binary.BigEndian.Uint64(a[8:16]),
		x:  binary.BigEndian.Uint32(a[16:20]),
		i:  int32(ref),
	}
}

func keyAddr(k *sortKey) ledger.Address {
	var a ledger.Address
	binary.BigEndian.PutUint64(a[0:8], k.hi)
	binary.BigEndian.PutUint64(a[8:16], k.lo)
	binary.BigEndian.PutUint32(a[16:20], k.x)
	return a
}

// fixAddrRun completes the order of a run of keys whose top bits tie: by
// address, then mention order (sortKeys keeps neither above radixLocal
// keys).
func fixAddrRun(_ int, run []sortKey) {
	slices.SortFunc(run, compareKeys)
}

// resolve assigns device ids and fills s.devs, s.beaconRef and s.addrRef. It
// fails, like the map it replaces did, on the first hotspot listed twice in
// input order; a repeated activity entry is returned as dupAct (-1 if none),
// to be reported after the entropy checks, as before.
func (s *scorer) resolve() (dupAct int, err error) {
	in := s.in
	nh, na, nb, nw := len(in.Hotspots), len(in.Activity), len(in.Beacons), len(s.w.addrs)
	total := nh + na + nb + nw
	if total > math.MaxInt32 {
		return -1, fmt.Errorf("coverage: score: %w: %d addresses, limit %d", ErrInvalidInput, total, math.MaxInt32)
	}
	// Mentions in ref order: hotspots, activity, beacons, the addresses
	// of witnesses and the beaconers they name (each distinct address
	// once: the witnesses hold indices into them).
	keys := s.kb.keys(total)[:0]
	for i := range in.Hotspots {
		keys = append(keys, addrKey(&in.Hotspots[i].Device, len(keys)))
	}
	for i := range in.Activity {
		keys = append(keys, addrKey(&in.Activity[i].Device, len(keys)))
	}
	for i := range in.Beacons {
		keys = append(keys, addrKey(&in.Beacons[i].Device, len(keys)))
	}
	for i := range s.w.addrs {
		keys = append(keys, addrKey(&s.w.addrs[i], len(keys)))
	}
	sortKeys(&s.kb, keys, 33, 0, fixAddrRun)

	// Within one address, mentions are in ref order: its hotspot entries
	// come first, then activity, then reports.
	s.beaconRef = make([]beaconRef, nb)
	s.addrRef = make([]addrRef, nw)
	dupHot, dupAct := -1, -1
	for k := 0; k < len(keys); {
		id := int32(len(s.devs))
		s.devs = append(s.devs, device{addr: keyAddr(&keys[k]), hot: -1, act: -1})
		d := &s.devs[id]
		j := k
		for ; j < len(keys) && sameKey(&keys[j], &keys[k]); j++ {
			switch ref := int(keys[j].i); {
			case ref < nh:
				if d.hot < 0 {
					d.hot = int32(ref)
				} else if dupHot < 0 || ref < dupHot {
					dupHot = ref
				}
			case ref < nh+na:
				if d.act < 0 {
					d.act = int32(ref - nh)
				} else if dupAct < 0 || ref-nh < dupAct {
					dupAct = ref - nh
				}
			case ref < nh+na+nb:
				s.beaconRef[ref-nh-na] = beaconRef{hot: d.hot, dev: id}
			default:
				s.addrRef[ref-nh-na-nb] = addrRef{hot: d.hot, dev: id}
			}
		}
		k = j
	}
	if dupHot >= 0 {
		return -1, fmt.Errorf("coverage: score: %w: hotspot %s listed twice", ErrInvalidInput, in.Hotspots[dupHot].Device)
	}
	return dupAct, nil
}

// idRanks places n reports of one role in the order of their ids. id(i) is
// the id of input report i and before compares two reports in processing
// order (negative when a is processed first; 0 only for reports identical
// in every field, whose order changes no result). It returns each report's
// rank (its slot in the result, whose final order is by role then id),
// which reports repeat an id that a report processed earlier already had
// (the first keeps it, as when a set of seen ids is filled in processing
// order), and the rank ranges [a, b) of reports sharing one id, whose order
// compareReports must finish once their results are known. Only reports
// sharing an id are ever compared with before.
func idRanks(buf *keyBuf, n int, id func(i int32) *[32]byte, before func(a, b int32) int) (rank []int32, repeated []bool, ties [][2]int32) {
	keys := buf.keys(n)
	for i := range keys {
		v := id(int32(i))
		keys[i] = sortKey{
			hi: binary.BigEndian.Uint64(v[0:8]),
			lo: binary.BigEndian.Uint64(v[8:16]),
			x:  binary.BigEndian.Uint32(v[16:20]),
			i:  int32(i),
		}
	}
	repeated = make([]bool, n)
	// Ids are hashes: a run of tied top bits is nearly always a repeat, and
	// rare enough that reading the ids' last 12 bytes costs nothing.
	sortKeys(buf, keys, 33, 0, func(start int, run []sortKey) {
		slices.SortFunc(run, func(a, b sortKey) int {
			if c := compareKeys(sortKey{hi: a.hi, lo: a.lo, x: a.x}, sortKey{hi: b.hi, lo: b.lo, x: b.x}); c != 0 {
				return c
			}
			if c := bytes.Compare(id(a.i)[20:], id(b.i)[20:]); c != 0 {
				return c
			}
			return before(a.i, b.i)
		})
		for k := 0; k < len(run); {
			j := k + 1
			for j < len(run) && sameKey(&run[j], &run[k]) && *id(run[j].i) == *id(run[k].i) {
				repeated[run[j].i] = true
				j++
			}
			if j-k > 1 {
				ties = append(ties, [2]int32{int32(start + k), int32(start + j)})
			}
			k = j
		}
	})
	rank = make([]int32, n)
	for r := range keys {
		rank[keys[r].i] = int32(r)
	}
	return rank, repeated, ties
}
