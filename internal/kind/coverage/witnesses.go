package coverage

import "github.com/depin-network/depin/internal/ledger"

// Witnesses holds an epoch's witness reports in compact columns: one entry
// per report in each column, the device and beaconer addresses interned
// (each distinct address stored once, reports holding its index), and the
// payloads deduplicated into one arena (a beacon's witnesses all carry its
// payload). A witness costs 76 bytes here against 128 in a Witness, and
// scoring resolves addresses once per distinct address instead of twice
// per report (BENCHMARKS.md, epoch). Build one with a WitnessBuilder;
// entries are read with At and never change.
type Witnesses struct {
	id          [][32]byte
	device      []int32 // index in addrs
	beaconer    []int32 // index in addrs
	received    []int64
	timestamp   []int64
	payload     []int32 // index of the payload: arena[poff[k]:poff[k+1]]
	frequencyHz []uint64
	signalDdBm  []int32
	snrCB       []int32
	addrs       []ledger.Address // each address once (the scorer relies on it)
	arena       []byte
	poff        []int
}

// Len is the number of witness reports.
func (w *Witnesses) Len() int {
	if w == nil {
		return 0
	}
	return len(w.id)
}

// At returns witness i. Its Payload aliases the columns' arena and must not
// be modified.
func (w *Witnesses) At(i int) Witness {
	return Witness{ID: w.id[i], Device: w.addrs[w.device[i]], Beaconer: w.addrs[w.beaconer[i]],
		Received: w.received[i], Timestamp: w.timestamp[i], Payload: w.payloadOf(int32(i)),
		FrequencyHz: w.frequencyHz[i], SignalDdBm: w.signalDdBm[i], SNRcB: w.snrCB[i]}
}

// payloadOf returns witness i's payload.
func (w *Witnesses) payloadOf(i int32) []byte {
	k := w.payload[i]
	return w.arena[w.poff[k]:w.poff[k+1]:w.poff[k+1]]
}

// WitnessBuilder fills Witnesses one report at a time. Its interning maps
// are dropped by Done, so that the columns hold nothing per distinct value
// but the value itself.
type WitnessBuilder struct {
	w    *Witnesses
	addr map[ledger.Address]int32
	pay  map[string]int32
}

// NewWitnessBuilder returns a builder sized for about n witnesses.
func NewWitnessBuilder(n int) *WitnessBuilder {
	w := &Witnesses{
		id: make([][32]byte, 0, n), device: make([]int32, 0, n), beaconer: make([]int32, 0, n),
		received: make([]int64, 0, n), timestamp: make([]int64, 0, n), payload: make([]int32, 0, n),
		frequencyHz: make([]uint64, 0, n), signalDdBm: make([]int32, 0, n), snrCB: make([]int32, 0, n),
		poff: []int{0},
	}
	return &WitnessBuilder{w: w, addr: make(map[ledger.Address]int32), pay: make(map[string]int32)}
}

func (b *WitnessBuilder) intern(a ledger.Address) int32 {
	if k, ok := b.addr[a]; ok {
		return k
	}
	k := int32(len(b.w.addrs))
	b.w.addrs = append(b.w.addrs, a)
	b.addr[a] = k
	return k
}

// Add appends a witness; the payload is copied.
func (b *WitnessBuilder) Add(x *Witness) {
	w := b.w
	k, ok := b.pay[string(x.Payload)]
	if !ok {
		k = int32(len(w.poff) - 1)
		w.arena = append(w.arena, x.Payload...)
		w.poff = append(w.poff, len(w.arena))
		b.pay[string(x.Payload)] = k
	}
	w.id = append(w.id, x.ID)
	w.device = append(w.device, b.intern(x.Device))
	w.beaconer = append(w.beaconer, b.intern(x.Beaconer))
	w.received = append(w.received, x.Received)
	w.timestamp = append(w.timestamp, x.Timestamp)
	w.payload = append(w.payload, k)
	w.frequencyHz = append(w.frequencyHz, x.FrequencyHz)
	w.signalDdBm = append(w.signalDdBm, x.SignalDdBm)
	w.snrCB = append(w.snrCB, x.SNRcB)
}

// Len is the number of witnesses added so far.
func (b *WitnessBuilder) Len() int { return len(b.w.id) }

// Done returns the columns; the builder must not be used after.
func (b *WitnessBuilder) Done() *Witnesses {
	w := b.w
	b.w, b.addr, b.pay = nil, nil, nil
	return w
}

// WitnessesOf returns the columns of a list of witnesses.
func WitnessesOf(ws []Witness) *Witnesses {
	b := NewWitnessBuilder(len(ws))
	for i := range ws {
		b.Add(&ws[i])
	}
	return b.Done()
}
