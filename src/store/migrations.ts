/**
 * Schema migrations, applied in version order inside one transaction each; the table
 * schema_migrations records each one applied. Never edit a released migration: add a new one.
 * Version ranges by area keep parallel work apart: 1-9 core, 10-19 detector, 20-29 alerts, 30-39 channels.
 */
import { OUTBOX_MIGRATIONS } from './outbox-migrations.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'core tables',
    sql: `
      CREATE TABLE dead_letters (
        id INTEGER PRIMARY KEY,
        received_at INTEGER NOT NULL,
        topic TEXT NOT NULL,
        farm_id TEXT,
        collar_id TEXT,
        reason TEXT NOT NULL,
        detail TEXT NOT NULL,
        payload BLOB NOT NULL
      );
      CREATE INDEX dead_letters_received ON dead_letters (received_at);
      CREATE INDEX dead_letters_reason ON dead_letters (reason, received_at);

      -- (collar, seq, ts) seen recently: duplicate detection that survives restarts (protocol v1).
      CREATE TABLE seen_readings (
        farm_id TEXT NOT NULL,
        collar_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        seen_at INTEGER NOT NULL,
        PRIMARY KEY (farm_id, collar_id, seq, ts)
      ) WITHOUT ROWID;
      -- Redeliveries come soon after the first delivery: keys are pruned by when they were seen.
      CREATE INDEX seen_readings_seen_at ON seen_readings (seen_at);

      -- Latest event time handed to the pipeline per collar: readings older than it are late.
      CREATE TABLE collar_cursors (
        farm_id TEXT NOT NULL,
        collar_id TEXT NOT NULL,
        last_ts INTEGER NOT NULL,
        last_seq INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        PRIMARY KEY (farm_id, collar_id)
      ) WITHOUT ROWID;

      -- Detector state per cow (and per herd), as opaque JSON owned by detect/.
      CREATE TABLE detector_state (
        key TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'dead letters keep a payload prefix with its size and hash',
    sql: `
      -- payload holds at most the first few KiB from now on; the whole message's size and SHA-256
      -- say what it was (a 64 MB publish must not cost 64 MB of disk).
      ALTER TABLE dead_letters ADD COLUMN payload_bytes INTEGER;
      ALTER TABLE dead_letters ADD COLUMN payload_sha256 TEXT;
      UPDATE dead_letters SET payload_bytes = length(payload);
      -- The per-farm budget drops each farm's oldest rows first.
      CREATE INDEX dead_letters_farm ON dead_letters (farm_id, id);
    `,
  },
  {
    version: 5,
    name: 'readings store',
    sql: `
      -- One small integer per (farm, collar, cow) readings came from, so reading rows stay compact.
      -- A collar moved to another cow gets a new source: each reading keeps the cow it was read on.
      -- lat_ref/lon_ref: the source's first position (scaled, 0 when none); stored positions are
      -- offsets from it, a few bytes for a cow that stays on its farm.
      CREATE TABLE reading_sources (
        id INTEGER PRIMARY KEY,
        farm_id TEXT NOT NULL,
        collar_id TEXT NOT NULL,
        cow_id TEXT NOT NULL,
        lat_ref INTEGER NOT NULL,
        lon_ref INTEGER NOT NULL,
        UNIQUE (farm_id, collar_id, cow_id)
      );

      -- Every admitted reading, kept ingest.retentionDays. The primary key is the protocol's
      -- duplicate key, so INSERT OR IGNORE is the de-duplication; ts first, because readings arrive
      -- roughly in time order and appends keep pages full. v holds the interval and the measured
      -- values in a few bytes, exactly (see reading-codec.ts). batch numbers ingest group commits:
      -- crash recovery replays the batches after the snapshot.
      CREATE TABLE readings (
        ts INTEGER NOT NULL,
        source INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        batch INTEGER NOT NULL,
        v BLOB NOT NULL,
        PRIMARY KEY (ts, source, seq)
      ) WITHOUT ROWID;

      -- The readings store replaces the separate duplicate keys.
      DROP TABLE seen_readings;

      -- Which batches the stored detector state has seen: every state is current up to batch
      -- \`batch\`, a cow's own row up to its \`upto\` when higher; floor_ts is the oldest reading
      -- time stored since, so recovery reads only from there.
      ALTER TABLE detector_state ADD COLUMN upto INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE detector_watermark (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        batch INTEGER NOT NULL,
        floor_ts INTEGER
      );
      INSERT INTO detector_watermark (id, batch, floor_ts) VALUES (1, 0, NULL);
    `,
  },
  ...OUTBOX_MIGRATIONS,
  {
    version: 20,
    name: 'alert lifecycle and policy state',
    sql: `
      -- One row per alert: indexed columns for queries, the policy's whole record as JSON.
      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        farm_id TEXT NOT NULL,
        cow_id TEXT,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        state TEXT NOT NULL,
        onset_ts INTEGER NOT NULL,
        raised_ts INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        record TEXT NOT NULL
      );
      CREATE INDEX alerts_state ON alerts (state, updated_at);
      CREATE INDEX alerts_farm ON alerts (farm_id, updated_at);

      -- Every published state change (protocol alert message), in order: the alert's history.
      CREATE TABLE alert_events (
        id INTEGER PRIMARY KEY,
        alert_id TEXT NOT NULL,
        farm_id TEXT NOT NULL,
        state TEXT NOT NULL,
        updated_ts TEXT NOT NULL,
        message TEXT NOT NULL
      );
      CREATE INDEX alert_events_alert ON alert_events (alert_id, id);

      -- Per contact: STOP/START, rate-limit times, waiting messages, counts for the digest.
      CREATE TABLE alert_contacts (
        farm_id TEXT NOT NULL,
        contact_id TEXT NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (farm_id, contact_id)
      ) WITHOUT ROWID;

      -- Per farm: when the last digest went out.
      CREATE TABLE alert_farms (
        farm_id TEXT PRIMARY KEY,
        record TEXT NOT NULL
      );
    `,
  },
  {
    version: 21,
    name: 'alert deliveries',
    sql: `
      -- What happened to each message about an alert (sent, delivered, read, failed), per contact:
      -- the alert's delivery record, fed by the outbox and WhatsApp status webhooks.
      CREATE TABLE alert_deliveries (
        id INTEGER PRIMARY KEY,
        alert_id TEXT NOT NULL,
        notification_id TEXT NOT NULL,
        contact_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        status TEXT NOT NULL,
        at INTEGER NOT NULL,
        error_code TEXT
      );
      CREATE INDEX alert_deliveries_alert ON alert_deliveries (alert_id, id);
    `,
  },
];
