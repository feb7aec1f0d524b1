// Package query answers read-only questions about committed ledger state.
// Handle serves ABCI-style paths such as "/accounts/pin1..." or
// "/devices?owner=pin1...&limit=10" with JSON bodies; the ABCI adapter
// answers abci_query with it and internal/api serves the same answers over
// HTTP, so the two can never disagree.
//
// There is no central switch: each module registers its own paths on a
// ledger.QueryRouter (app.Module.Queries: "supply" by the bank,
// "rewards/..." by reward, "proof/..." by proof, the device registry's
// paths by Devices here). The app's own paths (accounts, params) are
// answered first, then the modules'.
//
// Contract:
//
//   - Handle reads, never writes. It takes the committed store and the
//     app (parameter registry and module routes) and returns (body, code, error message). Code 0 is
//     success with a JSON body; any other code is one of the stable Codes
//     below (bad_request, not_found, unknown_path) with a one-line message
//     and no body.
//   - JSON conventions: addresses in bech32 ("pin1..."), public keys in
//     lower-case hex, H3 cells as lower-case hex strings (H3's own notation),
//     device kinds by name ("coverage"), and every 64-bit integer (amounts,
//     heights, parameter values) as a decimal string, as the proto3 JSON
//     mapping and CometBFT's RPC do, so that JavaScript clients never lose
//     precision above 2^53.
//   - Lists are paginated: "limit" is 1 to MaxLimit (DefaultLimit when
//     absent), and a page that is not the last carries "next_page_key", an
//     opaque hex string to pass back as "page_key". A filtered page may hold
//     fewer items than the limit and still have a next key (the registry
//     bounds the entries one page may scan).
//   - The typed response structs (Account, Supply, Device, ...) are what the
//     CLI and other Go clients decode.
package query
