// Package bank keeps balances of the native token and its supply: genesis
// balances, transfers, multi-sends, minting (rewards) and burning (fees for
// onboarding and location assertions). Supply is tracked as minted and
// burned totals, so that the invariant "sum of balances = minted - burned"
// can be checked after every block.
package bank
