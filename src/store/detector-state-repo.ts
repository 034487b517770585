/**
 * The detector_state table (migration 1): one opaque JSON state per cow and per herd, written from
 * Detector.takeDirtyStates() and read back into Detector.restore() on start.
 */
import type { Db } from './db.js';

export interface DetectorStateRepo {
  /** Upserts the given states in one transaction. */
  save(entries: readonly [string, string][], nowMs: number): void;
  /** Every stored state, for Detector.restore(). */
  loadAll(): [string, string][];
  /** Drops states not written since `beforeMs` (cows removed from the herd long ago). */
  prune(beforeMs: number): number;
}

export function createDetectorStateRepo(db: Db): DetectorStateRepo {
  const upsert = db.prepare(
    `INSERT INTO detector_state (key, state, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
  );
  const selectAll = db.prepare('SELECT key, state FROM detector_state').raw();
  const deleteOld = db.prepare('DELETE FROM detector_state WHERE updated_at < ?');
  const saveAll = db.transaction((entries: readonly [string, string][], nowMs: number) => {
    for (const [key, state] of entries) upsert.run(key, state, nowMs);
  });
  return {
    save: (entries, nowMs) => {
      if (entries.length > 0) saveAll(entries, nowMs);
    },
    loadAll: () => selectAll.all() as [string, string][],
    prune: (beforeMs) => deleteOld.run(beforeMs).changes,
  };
}
