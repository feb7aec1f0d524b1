package sensor

// SketchSize is k of the bottom-k sketch of a stream: the k smallest
// distinct hashes of its valid readings' values. Two streams sharing most
// of their readings share most of their sketches (the sketch estimates
// Jaccard similarity), so copies and replays show as shared entries
// without keeping the readings.
const SketchSize = 8

// Sketch is a bottom-k sketch: hashes ascending, each with the earliest
// receive time of a reading with that hash.
type Sketch struct {
	N    uint8
	Hash [SketchSize]uint64
	Recv [SketchSize]int64
}

// Full reports whether the stream had SketchSize distinct values: only
// full sketches are compared (a parked car repeats one value all day).
func (s *Sketch) Full() bool { return s.N == SketchSize }

// Add offers a reading's hash.
func (s *Sketch) Add(h uint64, recv int64) {
	n := int(s.N)
	if n == SketchSize && h >= s.Hash[n-1] {
		if h == s.Hash[n-1] && recv < s.Recv[n-1] {
			s.Recv[n-1] = recv
		}
		return
	}
	i := 0
	for i < n && s.Hash[i] < h {
		i++
	}
	if i < n && s.Hash[i] == h {
		if recv < s.Recv[i] {
			s.Recv[i] = recv
		}
		return
	}
	if n < SketchSize {
		n++
		s.N++
	}
	copy(s.Hash[i+1:n], s.Hash[i:n-1])
	copy(s.Recv[i+1:n], s.Recv[i:n-1])
	s.Hash[i], s.Recv[i] = h, recv
}

// Shared counts the hashes in both sketches.
func Shared(a, b []uint64) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

// ValueHash hashes a reading's channel values and fix (not its times): two
// readings hash alike only if they carry the same values.
func ValueHash(r *Reading) uint64 {
	h := mix(uint64(r.Mask) + 0x9e3779b97f4a7c15)
	for i := range NumChannels {
		if r.Mask&(1<<i) != 0 {
			h = mix(h ^ uint64(r.Values[i]) + uint64(i)<<56)
		}
	}
	if r.Fix.Has {
		h = mix(h ^ uint64(r.Fix.LatE7))
		h = mix(h ^ uint64(r.Fix.LngE7))
	}
	return h
}

// mix is splitmix64's finaliser.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
