/**
 * The detector_state table (migration 1): one opaque state per cow (bytes) and per herd (JSON text),
 * written from Detector.takeDirtyStates() and read back into Detector.restore() on start. The column
 * is declared TEXT; SQLite keeps a BLOB as a BLOB in it, and returns each as it was stored.
 * `upto` (migration 5) is the last ingest batch the state had seen when it was written.
 */
import type { StoredState } from '../detect/snapshot.js';
import type { Db } from './db.js';

export interface DetectorStateRepo {
  /** Upserts the given states, written after ingest batch `upto`, in one transaction. */
  save(entries: readonly [string, StoredState][], nowMs: number, upto?: number): void;
  /** Every stored state, for Detector.restore(). */
  loadAll(): [string, StoredState][];
  /** Keys whose state has seen batches after `batch`, with the last batch each has seen. */
  uptoAfter(batch: number): Map<string, number>;
  /** The highest ingest batch any stored state has seen (0 when none). */
  maxUpto(): number;
  /** Drops states not written since `beforeMs` (cows removed from the herd long ago). */
  prune(beforeMs: number): number;
}

export function createDetectorStateRepo(db: Db): DetectorStateRepo {
  const upsert = db.prepare(
    `INSERT INTO detector_state (key, state, updated_at, upto) VALUES (?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at,
       upto = excluded.upto`,
  );
  const selectAll = db.prepare('SELECT key, state FROM detector_state').raw();
  const selectUpto = db.prepare('SELECT key, upto FROM detector_state WHERE upto > ?').raw();
  const selectMaxUpto = db.prepare('SELECT coalesce(max(upto), 0) FROM detector_state').pluck();
  const deleteOld = db.prepare('DELETE FROM detector_state WHERE updated_at < ?');
  const saveAll = db.transaction((entries: readonly [string, StoredState][], nowMs: number, upto: number) => {
    for (const [key, state] of entries) upsert.run(key, toSqlite(state), nowMs, upto);
  });
  return {
    maxUpto: () => selectMaxUpto.get() as number,
    save: (entries, nowMs, upto = 0) => {
      if (entries.length > 0) saveAll(entries, nowMs, upto);
    },
    uptoAfter: (batch) => new Map(selectUpto.all(batch) as [string, number][]),
    loadAll: () => selectAll.all() as [string, StoredState][],
    prune: (beforeMs) => deleteOld.run(beforeMs).changes,
  };
}

/** better-sqlite3 binds Buffers as BLOBs: wrap the bytes without copying them. */
function toSqlite(state: StoredState): string | Buffer {
  return typeof state === 'string' ? state : Buffer.from(state.buffer, state.byteOffset, state.byteLength);
}
