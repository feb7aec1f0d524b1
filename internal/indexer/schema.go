package indexer

// migration is one schema version: statements run in order in one
// transaction, then fill (if any) backfills the new tables from the rows
// already indexed, in the same transaction, then schema_version is set to
// version. Migrations are appended, never edited once landed; the SQL is
// the subset SQLite and PostgreSQL share (BIGINT, INTEGER, TEXT, ON
// CONFLICT upserts).
type migration struct {
	version int
	name    string
	stmts   []string
	fill    func(w *writer) error
}

// migrations is the schema's history. Version 1 is the chain itself,
// version 2 the device registry and locations, version 3 epochs and
// rewards with the oracle's reasons, version 4 the totals the explorer's
// map and charts read (kept as blocks, locations and payouts are written;
// see aggregate.go).
var migrations = []migration{
	{1, "blocks, transactions and events", []string{
		`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
		`CREATE TABLE cursor (id INTEGER PRIMARY KEY, height BIGINT NOT NULL)`,
		`CREATE TABLE blocks (
			height BIGINT PRIMARY KEY,
			hash TEXT NOT NULL,
			time_ns BIGINT NOT NULL,
			proposer TEXT NOT NULL,
			num_txs INTEGER NOT NULL,
			failed_txs INTEGER NOT NULL,
			fees BIGINT NOT NULL,
			minted BIGINT NOT NULL,
			burned BIGINT NOT NULL)`,
		`CREATE INDEX blocks_hash ON blocks (hash)`,
		`CREATE INDEX blocks_proposer ON blocks (proposer, height)`,
		`CREATE TABLE txs (
			height BIGINT NOT NULL,
			idx INTEGER NOT NULL,
			hash TEXT NOT NULL,
			signer TEXT NOT NULL,
			code INTEGER NOT NULL,
			log TEXT NOT NULL,
			fee BIGINT NOT NULL,
			memo TEXT NOT NULL,
			msgs TEXT NOT NULL,
			size INTEGER NOT NULL,
			PRIMARY KEY (height, idx))`,
		`CREATE INDEX txs_hash ON txs (hash)`,
		`CREATE TABLE events (
			height BIGINT NOT NULL,
			tx_idx INTEGER NOT NULL,
			ev_idx INTEGER NOT NULL,
			type TEXT NOT NULL,
			attrs TEXT NOT NULL,
			PRIMARY KEY (height, tx_idx, ev_idx))`,
		`CREATE INDEX events_type ON events (type, height)`,
		`CREATE TABLE account_txs (
			address TEXT NOT NULL,
			height BIGINT NOT NULL,
			idx INTEGER NOT NULL,
			PRIMARY KEY (address, height, idx))`,
	}, nil},
	{2, "devices and their locations", []string{
		`CREATE TABLE devices (
			address TEXT PRIMARY KEY,
			owner TEXT NOT NULL,
			maker TEXT NOT NULL,
			kind TEXT NOT NULL,
			serial TEXT NOT NULL,
			onboarded_height BIGINT NOT NULL,
			status TEXT NOT NULL,
			cell TEXT NOT NULL,
			lat_e7 BIGINT,
			lng_e7 BIGINT,
			hex_coarse TEXT NOT NULL,
			hex_mid TEXT NOT NULL,
			located_height BIGINT NOT NULL,
			last_epoch BIGINT NOT NULL,
			last_payout BIGINT NOT NULL,
			total_payout BIGINT NOT NULL)`,
		`CREATE INDEX devices_owner ON devices (owner)`,
		`CREATE INDEX devices_position ON devices (lat_e7, lng_e7)`,
		`CREATE TABLE device_locations (
			device TEXT NOT NULL,
			height BIGINT NOT NULL,
			tx_idx INTEGER NOT NULL,
			ev_idx INTEGER NOT NULL,
			cell TEXT NOT NULL,
			lat_e7 BIGINT NOT NULL,
			lng_e7 BIGINT NOT NULL,
			attributes TEXT NOT NULL,
			PRIMARY KEY (device, height, tx_idx, ev_idx))`,
	}, nil},
	{3, "epochs, rewards and reasons", []string{
		`CREATE TABLE epochs (
			number BIGINT PRIMARY KEY,
			end_height BIGINT NOT NULL,
			emission BIGINT NOT NULL,
			settled_height BIGINT NOT NULL,
			root TEXT NOT NULL,
			device_total BIGINT NOT NULL,
			treasury BIGINT NOT NULL,
			explained INTEGER NOT NULL,
			summary TEXT NOT NULL)`,
		`CREATE TABLE device_rewards (
			device TEXT NOT NULL,
			epoch BIGINT NOT NULL,
			payout BIGINT NOT NULL,
			cumulative BIGINT NOT NULL,
			reports INTEGER NOT NULL,
			valid INTEGER NOT NULL,
			explanation TEXT NOT NULL,
			PRIMARY KEY (device, epoch))`,
		`CREATE INDEX device_rewards_epoch ON device_rewards (epoch, payout)`,
		`CREATE TABLE epoch_reasons (
			epoch BIGINT NOT NULL,
			role TEXT NOT NULL,
			reason TEXT NOT NULL,
			count BIGINT NOT NULL,
			PRIMARY KEY (epoch, role, reason))`,
	}, nil},
	{4, "totals per map hex and per block range; an owner's devices by address", []string{
		`CREATE TABLE map_hexes (
			res INTEGER NOT NULL,
			cell TEXT NOT NULL,
			lat_e7 BIGINT NOT NULL,
			lng_e7 BIGINT NOT NULL,
			devices BIGINT NOT NULL,
			payout BIGINT NOT NULL,
			PRIMARY KEY (res, cell))`,
		`CREATE INDEX map_hexes_position ON map_hexes (res, lat_e7, lng_e7)`,
		`CREATE TABLE block_ranges (
			size BIGINT NOT NULL,
			bucket BIGINT NOT NULL,
			blocks BIGINT NOT NULL,
			time_ns BIGINT NOT NULL,
			txs BIGINT NOT NULL,
			minted BIGINT NOT NULL,
			burned BIGINT NOT NULL,
			fees BIGINT NOT NULL,
			PRIMARY KEY (size, bucket))`,
		`CREATE INDEX devices_owner_address ON devices (owner, address)`,
		`DROP INDEX devices_owner`,
	}, backfillTotals},
}

// LatestVersion is the schema version this code writes.
func LatestVersion() int { return migrations[len(migrations)-1].version }
