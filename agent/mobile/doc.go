// Package mobile is the public SDK of the mobile network kind: it builds
// and signs a Wi-Fi radio's heartbeats and speedtests (internal/kind/mobile
// checks them) and encodes its attributes. Bytes carried for users are not
// reports: the consumer signs market receipts of kind "mobile" for them.
package mobile
