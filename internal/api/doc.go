// Package api serves the read-only JSON HTTP API of a node. Every answer
// comes from internal/query over the node's committed state, so the API and
// abci_query always agree; only /v1/status (height, app hash, chain id) is
// answered here.
//
// Routes (GET only):
//
//	/v1/status
//	/v1/accounts/{address}
//	/v1/supply
//	/v1/devices?owner=&cell=&kind=&active=&limit=&page_key=
//	/v1/devices/{id}
//	/v1/devices/{id}/locations?limit=&page_key=
//	/v1/makers?limit=&page_key=
//	/v1/makers/{id}
//	/v1/params
//	/v1/txs/{hash}   (CometBFT's kv tx index, when the source is a TxSource)
//
// Errors are JSON objects {"code": n, "status": "name", "error": "message"}
// with the query code (internal/query) and an HTTP status mapped from it:
// bad_request 400, not_found and unknown_path 404, internal 500; any method
// but GET and HEAD is 405. The server only reads: it has no route that
// changes state.
package api
