package sensor

import (
	"cmp"
	"slices"
)

type cellDev struct {
	cell uint64
	dev  int32
}

func sortCellDevs(cs []cellDev) {
	slices.SortFunc(cs, func(a, b cellDev) int {
		if c := cmp.Compare(a.cell, b.cell); c != 0 {
			return c
		}
		return cmp.Compare(a.dev, b.dev)
	})
}

// group returns the run of sorted cs in cell c.
func group(cs []cellDev, c uint64) []cellDev {
	i, _ := slices.BinarySearchFunc(cs, c, func(x cellDev, c uint64) int { return cmp.Compare(x.cell, c) })
	j := i
	for j < len(cs) && cs[j].cell == c {
		j++
	}
	return cs[i:j]
}

// parentOf returns the device's asserted cell at res, and false when the
// cell is coarser than res.
func (s *Scorer) parentOf(d *device, res uint64) (uint64, bool) {
	if !d.hasLoc || s.geo.Resolution(d.kd.Cell) < int(res) {
		return 0, false
	}
	p, err := s.geo.Parent(d.kd.Cell, int(res))
	return p, err == nil
}

// judgeNeighbours compares each station's slot medians with the median
// and MAD of the stations in the H3 disk of its neighbour cell, the
// station included (the median is robust to it), per slot and neighbour
// channel, where the disk has at least MinNeighbours values. A slot is an
// outlier if any channel deviates by more than Allowed.
func (s *Scorer) judgeNeighbours() {
	var cs []cellDev
	for i := range s.devs {
		d := &s.devs[i]
		if d.slotMed == nil || d.res.Valid == 0 {
			continue
		}
		if c, ok := s.parentOf(d, s.p.NeighbourRes); ok {
			cs = append(cs, cellDev{c, int32(i)})
		}
	}
	sortCellDevs(cs)
	nc := len(neighbourChannels)
	var vals, scratch []int64
	var ring []int32
	judged := make([]bool, 0)
	for a := 0; a < len(cs); {
		b := a
		for b < len(cs) && cs[b].cell == cs[a].cell {
			b++
		}
		members := cs[a:b]
		a = b
		disk, err := s.geo.GridDisk(members[0].cell, int(s.p.NeighbourRing))
		if err != nil {
			continue
		}
		slices.Sort(disk)
		ring = ring[:0]
		for _, c := range disk {
			for _, x := range group(cs, c) {
				ring = append(ring, x.dev)
			}
		}
		if uint64(len(ring)) < s.p.MinNeighbours {
			continue
		}
		for sl := range s.slots {
			judged = judged[:0]
			for range members {
				judged = append(judged, false)
			}
			outlier := make([]bool, len(members))
			for k := range nc {
				vals = vals[:0]
				for _, dv := range ring {
					if v := s.devs[dv].slotMed[sl*nc+k]; v != noValue {
						vals = append(vals, v)
					}
				}
				if uint64(len(vals)) < s.p.MinNeighbours {
					continue
				}
				med := Median(vals)
				var mad int64
				mad, scratch = MAD(vals, med, scratch)
				floor := Channels[neighbourChannels[k]].NeighbourFloor
				for mi, m := range members {
					v := s.devs[m.dev].slotMed[sl*nc+k]
					if v == noValue {
						continue
					}
					judged[mi] = true
					if Outlier(v, med, mad, floor, s.p.MADFactorPct) {
						outlier[mi] = true
					}
				}
			}
			for mi, m := range members {
				r := &s.devs[m.dev].res
				if judged[mi] {
					r.Judged++
				}
				if outlier[mi] {
					r.Outliers++
				}
			}
		}
	}
	for i := range s.devs {
		d := &s.devs[i]
		if d.eligible() && Disagrees(d.res.Outliers, d.res.Judged, s.p.MaxOutlierBps) {
			d.res.Reason = NeighbourDisagreement
		}
	}
}

// capCells ranks the eligible stations of each capacity cell by QoD (high
// first), seniority (early first epoch first), then id; beyond
// MaxPerCell they get CellCapacity.
func (s *Scorer) capCells() {
	var cs []cellDev
	for i := range s.devs {
		d := &s.devs[i]
		if !d.eligible() || d.attrs.Class != ClassStation {
			continue
		}
		if c, ok := s.parentOf(d, s.p.CellRes); ok {
			cs = append(cs, cellDev{c, int32(i)})
		}
	}
	slices.SortFunc(cs, func(a, b cellDev) int {
		if c := cmp.Compare(a.cell, b.cell); c != 0 {
			return c
		}
		ra, rb := &s.devs[a.dev].res, &s.devs[b.dev].res
		if c := cmp.Compare(rb.QoD, ra.QoD); c != 0 {
			return c
		}
		if c := cmp.Compare(ra.FirstEpoch, rb.FirstEpoch); c != 0 {
			return c
		}
		return cmp.Compare(a.dev, b.dev)
	})
	rank := uint64(0)
	for j, x := range cs {
		if j == 0 || cs[j-1].cell != x.cell {
			rank = 0
		}
		rank++
		r := &s.devs[x.dev].res
		r.CellRank = rank
		if rank > s.p.MaxPerCell {
			r.Reason = CellCapacity
		}
	}
}

// shareClusters counts the eligible stations in each cluster cell: they
// share one reward.
func (s *Scorer) shareClusters() {
	var cs []cellDev
	for i := range s.devs {
		d := &s.devs[i]
		if !d.eligible() || d.attrs.Class != ClassStation {
			continue
		}
		if c, ok := s.parentOf(d, s.p.ClusterRes); ok {
			cs = append(cs, cellDev{c, int32(i)})
		} else {
			d.res.ClusterSize = 1
		}
	}
	sortCellDevs(cs)
	for a := 0; a < len(cs); {
		b := a
		for b < len(cs) && cs[b].cell == cs[a].cell {
			b++
		}
		for _, x := range cs[a:b] {
			s.devs[x.dev].res.ClusterSize = uint64(b - a)
		}
		a = b
	}
}

// nextState keeps each still-registered device's seniority and its newest
// full sketch (this epoch's, else the previous one).
func (s *Scorer) nextState() []byte {
	var es []priorEntry
	for i := range s.devs {
		d := &s.devs[i]
		e := priorEntry{ID: d.kd.ID, FirstEpoch: d.res.FirstEpoch}
		if d.res.Valid > 0 && d.sketch.Full() {
			e.N, e.Hash = d.sketch.N, d.sketch.Hash
		} else if pe, ok := s.priorOf(d.kd.ID); ok {
			e.N, e.Hash = pe.N, pe.Hash
		}
		if e.FirstEpoch == 0 && e.N == 0 {
			continue
		}
		es = append(es, e)
	}
	if len(es) == 0 {
		return nil
	}
	return encodeState(es)
}
