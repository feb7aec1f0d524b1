// Package uplink is the storage client (issue 13, items 2, 5 and 6): it
// puts a file on the network, gets it back, says where its shards are, and
// repairs it.
//
// Put lays the file out (internal/storage/content: segments, encryption
// with the owner's key, Reed-Solomon k-of-n, per-shard Merkle trees),
// opens one market order of kind storage per shard, waits for bids and
// accepts them from n distinct providers, records each shard's deal on
// chain, uploads the manifest and the shard to each provider over HTTP and
// waits until every provider has acknowledged its upload on chain. The
// content id it returns commits to the whole layout. The file is read
// once and never copied to disk: it is encoded straight into the n
// parallel uploads (transfer.go, a few segments in memory), each of which
// carries the manifest in its trailer once the roots are known; the deals
// are recorded after the uploads.
//
// Get looks the content id's deals up on chain, fetches the manifest from
// any provider and checks it against the id, then streams K shards (data
// shards first: no reconstruction) into the decoder, which checks every
// byte as it arrives (content.DecodeStreams) and writes a temporary file
// renamed into place. If a stream fails or does not check out, Get starts
// over the careful way: shards into temporary files, each checked against
// its root, a provider that serves wrong bytes reported and skipped, and
// decodes once K shards are good.
//
// Repair (the repair worker: the owner's client, or any party, as the
// devnet runs it) finds shards without an open deal (its provider failed
// its proofs or was disqualified and the chain closed the deal, refunding
// the consumer), rebuilds them from K good shards and places them with new
// providers: the data survives the loss of up to N-K providers at a time.
// The shards are erasure-coded ciphertext, so a party without the owner's
// keys rebuilds them; its repair deals name the closed deal they replace
// and the chain repays it from the owner's repair fund (RepairAny).
//
// A get that finds a shard not matching its root reports it on chain when
// the provider signed what it served (storage/report); egress receipts
// carry nonces that grow per lease even for two gets in one block.
package uplink
