// Package compute is the public SDK of the compute network kind
// (internal/kind/compute jobs, internal/compute on chain): the messages a
// wallet or a provider sends, and three ready agents over a small Chain
// interface:
//
//   - Provider takes the tasks assigned to its key: it fetches the job's
//     input from the chain, executes the task, commits
//     SHA-256(domain | job | task | round | provider | SHA-256(result)),
//     reveals after the commit window and serves the result bytes over
//     HTTP (Handler) to the consumer. Its Mode can make it misbehave for
//     simulations: Wrong returns corrupted results, Lazy copies another
//     provider's commitment and revealed hash without computing anything.
//   - Verifier re-executes the tasks the chain sampled for it and sends
//     its result hash.
//   - Consumer submits a job, waits for it, downloads every accepted task
//     result from a provider that returned it, checks it against the
//     accepted hash and assembles the output (a PNG for a render job).
//
// Contract: errors are prefixed "agent: compute:" and wrap their cause;
// the agents act only on committed chain state, so a restarted agent picks
// up where the chain is; a Step does one round of work and returns.
package compute
