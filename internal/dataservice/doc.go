// Package dataservice serves sensor devices' readings to the consumers
// their owners granted access to (internal/dataaccess): a grantee signs
// each request with its account key; the service checks the signature, the
// request's time and nonce (a replayed request is refused), and that the
// chain holds an active grant from the device's owner to that key's
// address covering every channel asked for, now. Readings are served only
// from inside the grant's window. A stream pushes new readings as ingest
// accepts them and ends when the grant is revoked or expires. Every
// request, allowed or refused, is written to the access log.
//
// Readings arrive through ingest's tap (ingest.Deps.Tap) and are kept in
// memory, a bounded number per device.
package dataservice
