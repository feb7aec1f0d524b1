package coverage

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/depin-network/depin/internal/ledger"
)

// BeaconPayloadSize is the length of a beacon payload (BEACON_PAYLOAD_SIZE in
// helium/proto beacon/src/lib.rs).
const BeaconPayloadSize = 51

// LocalEntropySize is the length of the device's own entropy
// (LOCAL_ENTROPY_SIZE in helium/proto beacon/src/entropy.rs).
const LocalEntropySize = 4

const beaconDomain = "depin/coverage/beacon/v1"

// BeaconPayload regenerates the payload a device must transmit for a beacon
// answering chain entropy entropyHash with its 4-byte local entropy. Helium
// seeds a ChaCha12 RNG with SHA-256(remote entropy || local entropy); depin
// uses a plain SHA-256 counter expansion, so that any client can produce the
// same bytes with the standard library:
//
//	block_i = SHA-256("depin/coverage/beacon/v1" || entropyHash || local || device || uint32be(i))
//	payload = (block_0 || block_1)[:51]
//
// The device address is mixed in so that two devices picking the same local
// entropy still send different payloads.
func BeaconPayload(entropyHash [32]byte, local []byte, device ledger.Address) ([]byte, error) {
	if len(local) != LocalEntropySize {
		return nil, fmt.Errorf("coverage: beacon payload: local entropy is %d bytes, want %d", len(local), LocalEntropySize)
	}
	var buf [len(beaconDomain) + 32 + LocalEntropySize + ledger.AddressLen + 4]byte
	n := copy(buf[:], beaconDomain)
	n += copy(buf[n:], entropyHash[:])
	n += copy(buf[n:], local)
	n += copy(buf[n:], device[:])
	out := make([]byte, 0, 2*sha256.Size)
	for i := uint32(0); len(out) < BeaconPayloadSize; i++ {
		binary.BigEndian.PutUint32(buf[n:], i)
		sum := sha256.Sum256(buf[:])
		out = append(out, sum[:]...)
	}
	return out[:BeaconPayloadSize], nil
}

// BeaconFrequency returns the channel, in Hz, a beacon with this payload is
// sent on in region r: the first two payload bytes, big-endian, modulo the
// number of channels in the region's plan (as helium/proto beacon/src/lib.rs
// picks the channel from the payload).
func BeaconFrequency(r Region, payload []byte) (uint64, error) {
	p, ok := r.Plan()
	if !ok {
		return 0, fmt.Errorf("coverage: beacon frequency: no channel plan for region %s", r)
	}
	if len(payload) < 2 {
		return 0, fmt.Errorf("coverage: beacon frequency: payload is %d bytes, want at least 2", len(payload))
	}
	idx := int(binary.BigEndian.Uint16(payload)) % len(p.ChannelsHz)
	return p.ChannelsHz[idx], nil
}
