/**
 * Tables of the ingest path besides the readings themselves (readings-repo.ts): dead letters and
 * per-collar cursors. Cursors are written with the detector snapshot, not per reading: recovery
 * brings them forward from the readings stored after it.
 */
import type { Db } from './db.js';

export interface DeadLetter {
  receivedAt: number;
  topic: string;
  farmId: string | null;
  collarId: string | null;
  reason: string;
  detail: string;
  payload: Uint8Array;
}

export interface CollarCursor {
  lastTs: number;
  lastSeq: number;
}

export function createIngestRepo(db: Db) {
  const insertDeadLetter = db.prepare(
    'INSERT INTO dead_letters (received_at, topic, farm_id, collar_id, reason, detail, payload) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const upsertCursor = db.prepare(
    `INSERT INTO collar_cursors (farm_id, collar_id, last_ts, last_seq, last_seen_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (farm_id, collar_id) DO UPDATE SET last_ts = excluded.last_ts, last_seq = excluded.last_seq,
       last_seen_at = excluded.last_seen_at`,
  );
  const pruneDeadLettersBefore = db.prepare(
    'DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE received_at < ? LIMIT ?)',
  );

  return {
    recordDeadLetter(d: DeadLetter): void {
      insertDeadLetter.run(
        d.receivedAt,
        d.topic,
        d.farmId,
        d.collarId,
        d.reason,
        d.detail,
        Buffer.from(d.payload),
      );
    },
    saveCursor(farmId: string, collarId: string, cursor: CollarCursor, seenAt: number): void {
      upsertCursor.run(farmId, collarId, cursor.lastTs, cursor.lastSeq, seenAt);
    },
    loadCursors(): Map<string, CollarCursor> {
      const rows = db.prepare('SELECT farm_id, collar_id, last_ts, last_seq FROM collar_cursors').all() as {
        farm_id: string;
        collar_id: string;
        last_ts: number;
        last_seq: number;
      }[];
      return new Map(
        rows.map((r) => [`${r.farm_id}/${r.collar_id}`, { lastTs: r.last_ts, lastSeq: r.last_seq }]),
      );
    },
    /** Deletes at most `limit` dead letters received before `before`; call again while it returns `limit`. */
    pruneDeadLetters(before: number, limit: number): number {
      return pruneDeadLettersBefore.run(before, limit).changes;
    },
  };
}

export type IngestRepo = ReturnType<typeof createIngestRepo>;
