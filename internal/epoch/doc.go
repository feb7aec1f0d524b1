// Package epoch is the chain's epoch clock, a small module of its own so
// that reward, proof and every challenge module read one clock without
// depending on each other.
//
// Contract: epochs are counted by block height. Epoch 0 starts at height 1;
// each epoch takes the value of epoch.blocks when it starts, so epoch n
// covers heights [n*len+1, (n+1)*len] while the parameter is unchanged, and
// a change takes effect at the next boundary without renumbering the past.
// EndBlock at an epoch's last height records its end and opens the next
// epoch; modules that run after it in the same end block see the ended
// epoch through EndedAt. The clock is pure state over a ledger.Store: no
// wall clock, no I/O.
package epoch
