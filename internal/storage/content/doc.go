// Package content is the layout of a file stored on the network: how it is
// cut, encrypted, erasure-coded, Merklized and named (issue 13, item 1).
//
// Layout: a file of Size bytes is cut into segments of SegmentSize bytes
// (the last one shorter; an empty file is one empty segment). With
// encryption on (the default), each segment is sealed with AES-256-GCM
// (manifest version 2; version 1 manifests used XChaCha20-Poly1305 and
// still decode) under a key derived per file with HKDF-SHA256 from the
// owner's master key and a random salt, the nonce being the segment index
// and the associated data the file size, segment size and index, so segments
// cannot be reordered, truncated or moved between files. Each (sealed)
// segment is zero-padded to K pieces of PieceSize bytes, a multiple of
// LeafSize, and Reed-Solomon coded (klauspost/reedsolomon) into N pieces of
// which any K rebuild it. Shard i is the concatenation of every segment's
// piece i; it is cut into leaves of LeafSize bytes and Merklized with
// internal/merkle (RFC 6962), so one leaf and its path prove possession of
// that leaf at its index (internal/storage verifies them on chain).
//
// The Manifest records every number of the layout and the N shard roots;
// its canonical encoding is strict (one encoding per manifest) and the
// content id (CID) is the SHA-256 of it, so the CID commits to the whole
// layout. Decoding checks each shard against its root before use; a shard
// that does not match is refused and another is fetched.
//
// Contract: Encode, EncodeTo, Decode and DecodeStreams stream segments
// through a bounded pipeline (memory is a few segments, never the file;
// the CPU work is spread over GOMAXPROCS goroutines). A streamed upload is
// one pass: Plan fixes the layout (shard size, salt) before a byte is
// encoded, EncodeTo encodes straight into the uploads and knows the roots
// (the CID) when the last byte is written. DecodeStreams checks each shard against its root as it streams
// and skips reconstruction when the K data shards are there. Every
// decoder of untrusted bytes (manifests, shard envelopes, proofs) refuses
// malformed input with an error and never panics. Randomness (the salt)
// comes from an injected reader.
package content
