// Package sims holds the tokenomics simulator's scenarios (depin sim,
// docs/tokenomics.md) as TOML files, embedded so that a service (the
// explorer's simulation of a pending proposal) can run them without a
// checkout: tokensim.LoadScenarioFS(sims.FS, "bootstrap.toml").
package sims

import "embed"

// FS holds every scenario file of this directory.
//
//go:embed *.toml
var FS embed.FS
