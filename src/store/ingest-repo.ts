/**
 * Tables of the ingest path: dead letters, seen (collar, seq, ts) keys and per-collar cursors.
 * Statements are prepared once; callers group them in one transaction per batch of messages.
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
  const insertSeen = db.prepare(
    'INSERT OR IGNORE INTO seen_readings (farm_id, collar_id, seq, ts, seen_at) VALUES (?, ?, ?, ?, ?)',
  );
  const upsertCursor = db.prepare(
    `INSERT INTO collar_cursors (farm_id, collar_id, last_ts, last_seq, last_seen_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (farm_id, collar_id) DO UPDATE SET last_ts = excluded.last_ts, last_seq = excluded.last_seq,
       last_seen_at = excluded.last_seen_at`,
  );
  const pruneSeenBefore = db.prepare(
    'DELETE FROM seen_readings WHERE (farm_id, collar_id, seq, ts) IN (SELECT farm_id, collar_id, seq, ts FROM seen_readings WHERE seen_at < ? LIMIT ?)',
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
    /** Records a reading key; false when it was seen before (a duplicate). */
    markSeen(farmId: string, collarId: string, seq: number, ts: number, seenAt: number): boolean {
      return insertSeen.run(farmId, collarId, seq, ts, seenAt).changes === 1;
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
    /** Deletes at most `limit` old rows of each table; call repeatedly until it returns 0. */
    prune(seenBefore: number, deadLettersBefore: number, limit = 10_000): number {
      return (
        pruneSeenBefore.run(seenBefore, limit).changes +
        pruneDeadLettersBefore.run(deadLettersBefore, limit).changes
      );
    },
  };
}

export type IngestRepo = ReturnType<typeof createIngestRepo>;
