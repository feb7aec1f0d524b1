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
// content id it returns commits to the whole layout.
//
// Get looks the content id's deals up on chain, fetches the manifest from
// any provider and checks it against the id, downloads shards in parallel
// and checks each against its root as it streams (a provider that serves
// wrong bytes is reported and skipped), and decodes and decrypts once K
// shards are good.
//
// Repair (the repair worker, which the owner's client or the devnet runs)
// finds shards without an open deal (its provider failed its proofs or was
// disqualified and the chain closed the deal, refunding the consumer),
// rebuilds them from K good shards and places them with new providers,
// paid by the owner's deposit: the data survives the loss of up to N-K
// providers at a time.
package uplink
