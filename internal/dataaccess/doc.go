// Package dataaccess is the data access module: a sensor device's owner
// decides who reads its data. The owner grants a consumer read access to
// named channels of one device for a time window, optionally for a price
// the consumer pays on accepting (the market's take rate goes to the
// treasury); the owner may revoke a grant at any time (refunding a paid
// grant's grantee the unexpired share of what it received), and a grant expires
// at the end of its window (an end-block sweep marks it). DIMO's permission
// grants and peaq's roles are the models (reference/frameworks.md §2-3).
//
// The data service (internal/dataservice) serves a device's readings only to
// a caller that signs its request with the key of an active grant's
// grantee, checked against this module's state.
//
// Contract: pure functions over a ledger.Store; every refusal is a stable
// code in 550-599 and changes nothing. State (prefix 0x40):
//
//	'g' id               -> Grant
//	'd' device, id       -> {}      grants of a device
//	'e' grantee, id      -> {}      grants of a grantee
//	'x' not_after, id    -> {}      open grants (pending or active) by expiry
//	'n'                  -> last grant id (u64)
package dataaccess
