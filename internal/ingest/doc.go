// Package ingest is the service devices send signed reports to
// (DESIGN §3.2, §3.6). It checks each report, appends the accepted ones to a
// durable log, cuts the log into segments and hands each segment's Merkle
// root to a Committer for the chain.
//
// # Checks
//
// SubmitBatch refuses a batch over Config.MaxBatch as a whole
// (InvalidArgument) and otherwise answers every report, in order, with
// STATUS_ACCEPTED or a stable rejection status and a message in depin's own
// words (never a library's error text). The checks, cheapest first: the
// connection's token bucket, shared by all reports on one connection
// whatever their devices (RATE_LIMITED); size (TOO_LARGE) and structure
// (MALFORMED); the device timestamp, at most Config.MaxTimestampSkew from
// ingest's clock (BAD_TIMESTAMP); the Registry (UNKNOWN_DEVICE,
// DECOMMISSIONED); the entropy block, which must be at most
// Config.EntropyWindow blocks behind the chain head and carry that block's
// hash (STALE_ENTROPY, UNKNOWN_ENTROPY); the ed25519 signature over
// sig.SignBytes(Domain, report bytes as sent), batch-verified under
// internal/sig's rules with cached expanded keys, a batch split into parts
// of at least 256 across the cores no other batch is verifying on
// (BAD_SIGNATURE) — after the registry, so that only registered devices'
// reports cost a verification or a cache entry; the nonce, which must exceed
// the device's last accepted nonce (DUPLICATE for a retransmission of the
// last accepted report, REPLAY otherwise); and a per-device token bucket
// driven by the injected clock (RATE_LIMITED). A rejected report changes
// nothing. A report whose append fails is answered UNAVAILABLE and its nonce
// is spent: the device signs it again with a higher nonce. The HTTP server
// bounds every request with read, write and idle timeouts
// (Config.ReadTimeout, WriteTimeout, IdleTimeout): a body that trickles in
// is cut off.
//
// # Log
//
// The durable log is the Log interface (log.go): MemLog in memory for tests
// and tools, and the NATS adapter (natslog.go, the package's only NATS
// import), a JetStream stream (Config.Stream) on an embedded nats-server or
// an external server (Config.NATSURL). The embedded server listens on no
// port at all: ingest reaches it through an in-process connection, so no
// other process can publish to the log or call JetStream's API. An external
// server is used only with credentials (a creds file, an nkey, a user and
// password file, or a TLS client certificate; Config documents them) unless
// nats_insecure says otherwise. The accepted reports of one submitted batch
// are appended as one message (split into several if the batch exceeds the
// log's message size or Config.SegmentSize): each entry holds the device
// key, the nonce, the SHA-256 of the report and the LogRecord that segments
// hold (format in logbatch.go). Ingest answers ACCEPTED only after the log
// acknowledged the message. Batches are appended under one lock after the
// nonce checks, so the log holds each device's reports in nonce order. On
// start ingest restores every device's high-water mark from the snapshot the
// batcher writes (DataDir/marks, after a segment, every
// Config.SnapshotRecords reports or more) plus the log messages after it
// (marks.go), so a restart never accepts a nonce twice.
//
// A log message that is not a batch ingest wrote, or whose entries disagree
// with their records, is quarantined (quarantine.go): counted, logged and
// skipped by the batcher and the recovery, never in a segment. One poison
// message cannot stop the batcher or a restart.
//
// Fsync policy (Config.Sync, embedded server): the single-replica file store
// writes each message to its block file before acknowledging it
// (nats-server filestore.go, flush in place), so an acknowledged report
// survives the process being killed under every policy. Against power loss:
// "batch" (default) fsyncs the stream's newest block files once per batch
// before answering, shared by concurrent batches (group commit); "always"
// sets nats-server SyncAlways, an fsync per message (measured ~3.7k msg/s,
// reference/engineering.md §5); "interval" relies on the server's periodic
// sync every Config.SyncInterval. BenchmarkSubmitBatch measures them. An
// external server's durability is its own configuration (replicas, sync).
//
// # Segments
//
// The batcher reads the log in order and cuts it into segments of at most
// Config.SegmentSize records, on message boundaries, cutting earlier when
// the epoch of the records changes or the first pending record is
// Config.SegmentMaxAge old. A segment file is the deterministic protobuf
// encoding of ingestv1.Segment (epoch, sequence of its first log message,
// previous segment's hash, the LogRecords byte for byte); its SHA-256 names
// it. Its Merkle root is the RFC 6962 tree hash over
// the records' leaf hashes SHA-256(0x00 || record), the hash returned for
// each accepted report. Segments are stored under DataDir/segments with an
// append-only index, served at GET /v1/segments/{hash} and listed per epoch
// at GET /v1/epochs/{n}/segments, and each (epoch, hash, root, count) goes to
// the Committer in order until it succeeds. The batcher's position is its
// last stored segment, so after a crash it re-cuts from the log and every
// acknowledged report ends up in exactly one segment.
package ingest
