// Package keyring stores the ed25519 keys of accounts, makers and devices on
// disk, one file per key under a directory (by convention <home>/keyring),
// and hands them to the CLI, the transaction builders and the devnet.
//
// Contract:
//
//   - A key has a name matching [a-z0-9_-]{1,64}; its file is <name>.json,
//     mode 0600, in a directory of mode 0700. Files are written atomically
//     (temporary file, fsync, link into place, fsync of the directory), and a
//     new key never replaces an existing one.
//   - The backend decides how new keys are written: "file" encrypts the
//     32-byte ed25519 seed with a key derived from the keyring passphrase by
//     argon2id and sealed with ChaCha20-Poly1305; the KDF parameters, salt
//     and nonce are recorded in the file. "test" writes the seed in the clear
//     (development networks only). Either backend reads keys of both kinds;
//     an encrypted key always needs the passphrase.
//   - All encrypted keys in one keyring share the keyring passphrase: adding
//     a key checks the passphrase against an existing encrypted key first.
//   - Keys people can back up: NewMnemonic makes a 24-word BIP-39 mnemonic
//     (the standard English list, embedded); MnemonicSeed turns it into the
//     BIP-39 seed, and AddFromMnemonic derives the ed25519 key from that seed
//     with SLIP-0010 along HDPath (m/44'/118'/0'/0'/0', all levels hardened).
//     The same words give the same key in any implementation of the two
//     standards; tests check both against their published vectors.
//   - Export produces a PEM armored, passphrase-encrypted copy of a key that
//     Import accepts in any keyring, whatever its backend.
//   - Every failure wraps a sentinel (ErrUnknownKey, ErrKeyExists, ErrBadName,
//     ErrWrongPassphrase, ErrCorrupt, ...) that callers test with errors.Is,
//     and a failed call changes nothing on disk.
//
// Addresses are ledger.AddressOf(public key), rendered in bech32 as "pin1...".
// The package is off-chain: it does I/O and uses crypto/rand, and nothing in
// the deterministic ledger imports it.
package keyring
