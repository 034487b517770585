/**
 * The readings store (migration 5): every admitted reading as a compact row, written in the ingest
 * group commit before the collar gets its PUBACK. Inserting is the de-duplication: the primary key
 * is the protocol's duplicate key, so a redelivered reading changes nothing and is reported as such.
 * Also the detector's recovery watermark: which ingest batches the stored detector state has seen.
 */
import type { Reading } from '../telemetry/protocol.js';
import type { Db } from './db.js';
import { decodeValues, encodeValues, type PositionRef, positionRef } from './reading-codec.js';

/** What the stored detector state has seen (see the detector_watermark table). */
export interface Watermark {
  batch: number;
  /** Oldest reading time stored in a later batch; null when no batch came since. */
  floorTs: number | null;
}

/** A stored reading with the ingest batch it was committed in. */
export interface StoredReading {
  reading: Reading;
  batch: number;
}

export interface ReadingQuery {
  farmId: string;
  cowId?: string | undefined;
  fromMs: number;
  toMs: number;
}

const SELECT_READING = `SELECT r.ts, r.seq, r.batch, r.v, s.farm_id, s.collar_id, s.cow_id, s.lat_ref, s.lon_ref
  FROM readings r JOIN reading_sources s ON s.id = r.source`;

interface ReadingRow {
  ts: number;
  seq: number;
  batch: number;
  v: Buffer;
  farm_id: string;
  collar_id: string;
  cow_id: string;
  lat_ref: number;
  lon_ref: number;
}

/** A source's id and the position its stored positions are offsets from. */
interface Source extends PositionRef {
  id: number;
}

export function createReadingsRepo(db: Db) {
  const insertReading = db.prepare(
    'INSERT OR IGNORE INTO readings (ts, source, seq, batch, v) VALUES (?, ?, ?, ?, ?)',
  );
  const insertSource = db.prepare(
    `INSERT OR IGNORE INTO reading_sources (farm_id, collar_id, cow_id, lat_ref, lon_ref)
     VALUES (?, ?, ?, ?, ?)`,
  );
  const selectSource = db.prepare(
    'SELECT id, lat_ref AS lat, lon_ref AS lon FROM reading_sources WHERE farm_id = ? AND collar_id = ? AND cow_id = ?',
  );
  const selectWatermark = db.prepare('SELECT batch, floor_ts FROM detector_watermark WHERE id = 1');
  const lowerFloor = db.prepare(
    'UPDATE detector_watermark SET floor_ts = ? WHERE id = 1 AND (floor_ts IS NULL OR floor_ts > ?)',
  );
  const setWatermark = db.prepare('UPDATE detector_watermark SET batch = ?, floor_ts = NULL WHERE id = 1');
  const selectAfter = db.prepare(
    `${SELECT_READING} WHERE r.ts >= ? AND r.batch > ? ORDER BY r.batch, r.ts, r.source, r.seq`,
  );
  const selectFarm = db.prepare(
    `${SELECT_READING} WHERE r.ts >= ? AND r.ts < ? AND s.farm_id = ? ORDER BY r.ts, r.source, r.seq`,
  );
  const selectCow = db.prepare(
    `${SELECT_READING} WHERE r.ts >= ? AND r.ts < ? AND s.farm_id = ? AND s.cow_id = ? ORDER BY r.ts, r.source, r.seq`,
  );
  const pruneOld = db.prepare(
    `DELETE FROM readings WHERE (ts, source, seq) IN
       (SELECT ts, source, seq FROM readings WHERE ts < ? ORDER BY ts LIMIT ?)`,
  );

  const sources = new Map<string, Source>();
  // Changes made inside the open transaction, kept apart until it commits: a rolled-back group
  // must leave neither a source id that was never stored nor a floor that was never written.
  let newSources: string[] = [];
  let floorInStore = Number.POSITIVE_INFINITY;
  let stagedFloor = Number.POSITIVE_INFINITY;
  let groupFloor = Number.POSITIVE_INFINITY;

  /** The reading's source, created with the reading's position as its reference when new. */
  function sourceOf(reading: Reading): Source {
    const { farmId, collarId, cowId } = reading;
    const key = `${farmId}\u0000${collarId}\u0000${cowId}`;
    const known = sources.get(key);
    if (known !== undefined) return known;
    const ref = positionRef(reading);
    insertSource.run(farmId, collarId, cowId, ref.lat, ref.lon);
    const source = selectSource.get(farmId, collarId, cowId) as Source;
    sources.set(key, source);
    newSources.push(key);
    return source;
  }

  const initial = readWatermark();
  if (initial.floorTs !== null) floorInStore = initial.floorTs;

  function readWatermark(): Watermark {
    const row = selectWatermark.get() as { batch: number; floor_ts: number | null } | undefined;
    return { batch: row?.batch ?? 0, floorTs: row?.floor_ts ?? null };
  }

  return {
    /** Stores a reading committed in `batch`; false when it is a duplicate (stored before). */
    insert(reading: Reading, batch: number): boolean {
      const source = sourceOf(reading);
      const values = encodeValues(reading, source);
      const stored = insertReading.run(reading.ts, source.id, reading.seq, batch, values).changes === 1;
      if (stored && reading.ts < groupFloor) groupFloor = reading.ts;
      return stored;
    },
    /** Ends a group inside its transaction: the watermark's floor covers what it stored. */
    finishGroup(): void {
      if (groupFloor < floorInStore && groupFloor < stagedFloor) {
        lowerFloor.run(groupFloor, groupFloor);
        stagedFloor = groupFloor;
      }
      groupFloor = Number.POSITIVE_INFINITY;
    },
    /** The enclosing transaction committed: what it staged is now true of the store. */
    afterCommit(): void {
      newSources = [];
      floorInStore = Math.min(floorInStore, stagedFloor);
      stagedFloor = Number.POSITIVE_INFINITY;
    },
    /** The enclosing transaction rolled back: forget what it staged. */
    afterRollback(): void {
      for (const key of newSources) sources.delete(key);
      newSources = [];
      stagedFloor = Number.POSITIVE_INFINITY;
      groupFloor = Number.POSITIVE_INFINITY;
    },
    watermark: readWatermark,
    /** The stored detector state has seen every batch up to `batch` (call in the snapshot's transaction). */
    setWatermark(batch: number): void {
      setWatermark.run(batch);
      floorInStore = Number.POSITIVE_INFINITY;
    },
    /** Readings committed after the watermark, in commit order (crash recovery). */
    *after(mark: Watermark): Generator<StoredReading> {
      if (mark.floorTs === null) return;
      for (const row of selectAfter.iterate(mark.floorTs, mark.batch) as Iterable<ReadingRow>) {
        yield { reading: toReading(row), batch: row.batch };
      }
    },
    /** A farm's (or one cow's) readings in [fromMs, toMs), oldest first, streamed from the store. */
    *query(q: ReadingQuery): Generator<Reading> {
      const rows =
        q.cowId === undefined
          ? selectFarm.iterate(q.fromMs, q.toMs, q.farmId)
          : selectCow.iterate(q.fromMs, q.toMs, q.farmId, q.cowId);
      for (const row of rows as Iterable<ReadingRow>) yield toReading(row);
    },
    /** Deletes at most `limit` readings older than `beforeMs`; call again while it returns `limit`. */
    prune(beforeMs: number, limit: number): number {
      return pruneOld.run(beforeMs, limit).changes;
    },
  };
}

function toReading(row: ReadingRow): Reading {
  const reading: Reading = {
    farmId: row.farm_id,
    collarId: row.collar_id,
    cowId: row.cow_id,
    ts: row.ts,
    seq: row.seq,
    intervalS: 0,
    activity: 0,
  };
  decodeValues(row.v, { lat: row.lat_ref, lon: row.lon_ref }, reading);
  return reading;
}

export type ReadingsRepo = ReturnType<typeof createReadingsRepo>;
