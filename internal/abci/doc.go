// Package abci adapts the depin state machine (internal/app) to CometBFT's
// ABCI 2.0. It is the only package besides internal/node that imports
// CometBFT types: it translates requests into app calls and app results and
// events into responses, and nothing else.
package abci
