// Package apidoc is the HTTP style shared by depin's JSON services (the JSON
// API, the oracle API, ingest's JSON routes): one error shape, CORS, and an
// OpenAPI 3 description built from each service's route list and served at
// /openapi.json.
//
// Contract:
//
//   - Every failed request answers with Error: {"code": N, "status": "name",
//     "error": "message"}, N and name being ledger.QueryCode's stable codes.
//   - 64-bit integers travel as JSON strings (the Int64 schema), as
//     CometBFT's RPC and Cosmos REST APIs write them, so that JavaScript
//     clients do not lose precision.
//   - CORS is off unless origins are configured; then only those origins
//     (or "*") get Access-Control-Allow-Origin, for GET, HEAD and POST.
//   - Spec(routes) describes exactly the routes a service registers; each
//     service's tests request every described route to check that a
//     handler answers it.
package apidoc
