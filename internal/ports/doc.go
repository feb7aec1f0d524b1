// Package ports hands out loopback ports for nodes and services that tests
// and benchmarks start: each is free when handed out, never handed out
// twice in one process, and drawn below Linux's ephemeral range, so that
// neither another caller nor an outgoing connection takes it before the
// process it is meant for binds it.
package ports
