// Package node wires a depin node together: CometBFT embedded in-process
// with the state machine behind a local ABCI connection, the Pebble state
// store, the JSON API and the off-chain services. It holds wiring only;
// nothing imports it but cmd/depin.
package node
