// Package kindtest provides network kinds for tests of the generic code
// (registry, onboarding, queries) that needs more than one kind: Plain
// kinds record devices with no attributes and pay nothing, and Registry
// lists coverage beside four of them under the names of the kinds the
// design plans (storage, sensor, energy, compute).
package kindtest
