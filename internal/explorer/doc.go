// Package explorer is depin's web explorer: server-rendered HTML
// (html/template, embed.FS) over the indexer's database, with htmx for
// partial updates and, vendored from their npm packages with their licence
// files, Leaflet and h3-js for the map, uPlot for charts and world-atlas's
// Natural Earth outlines as an offline basemap. Nothing is fetched from
// outside the server: no CDN, no tile server, no build step.
//
// Contract:
//
//   - Pages: home, blocks, block, tx, account, devices (table and map),
//     device (location history, reward chart, the reason of every report),
//     epochs, epoch, market, governance, validators and search. Every page
//     is also JSON at the same path under /api (/api/devices/pin1...).
//   - A malformed id or query string is a 400 and an id that is not there
//     a 404, each with a one-line message; a 500 is a bug.
//   - The map asks /api/map for what is in view: devices one by one when
//     zoomed in (at most MapLimit), else their counts and last-epoch
//     payouts aggregated by H3 parent cell, so no request grows with the
//     size of the network.
//   - The explorer only reads; it never computes rewards. Reasons are the
//     oracle's, as the indexer stored them. The market, governance and
//     validators pages show the events of those modules until they have
//     readers of their own.
package explorer
