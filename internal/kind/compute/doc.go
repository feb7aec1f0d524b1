// Package compute defines the deterministic jobs of the compute network
// kind (Render/Akash-like, DESIGN §3.2): what a job is, how it splits into
// tasks, how a task executes and how much work it is.
//
// Two job types exist:
//
//   - "render": the input is a scene (package render); task i renders tile
//     i of render.Tiles(width, height, tasks) and its result is the tile's
//     RGB bytes;
//   - "hash": the input is data; task i covers bytes
//     [i·len/tasks, (i+1)·len/tasks) split in blocks of HashBlock bytes,
//     and its result is each block's SHA-256 iterated Rounds times,
//     concatenated.
//
// Contract: Execute is a pure function of (job, task index): the same bytes
// on every machine, so a result's SHA-256 can be committed by providers and
// recomputed by verifiers. Check refuses, with an error wrapping
// ErrInvalidJob, any job whose input does not decode or whose task count
// does not fit it, so a checked job's every task executes. Work gives a
// task's size in work units (traced rays for render, hashed bytes for
// hash), the measure of verified work the compute pool pays for. No clock,
// randomness, goroutines, floats or I/O.
package compute
