/**
 * Tables of the ingest path: dead letters, seen (collar, seq, ts) keys and per-collar cursors.
 * Statements are prepared once; callers group them in one transaction per batch of messages.
 */
import { createHash } from 'node:crypto';
import type { Db } from './db.js';

/** Bytes of a rejected payload kept: enough to see what a collar sent, never the whole of a huge one. */
export const DEAD_LETTER_PAYLOAD_BYTES = 4096;
/** Characters of a rejected message's topic kept. */
const DEAD_LETTER_TOPIC_CHARS = 512;

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
    `INSERT INTO dead_letters (received_at, topic, farm_id, collar_id, reason, detail, payload, payload_bytes, payload_sha256)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // Everything past the newest `keep` rows of one farm (NULL farm: messages no farm could be read from).
  const trimFarmDeadLetters = db.prepare(
    'DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE farm_id IS ? ORDER BY id DESC LIMIT -1 OFFSET ?)',
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
    /** Stores a rejected message: the start of its payload, with the whole payload's size and SHA-256. */
    recordDeadLetter(d: DeadLetter): void {
      const payload = Buffer.from(d.payload.buffer, d.payload.byteOffset, d.payload.byteLength);
      insertDeadLetter.run(
        d.receivedAt,
        d.topic.slice(0, DEAD_LETTER_TOPIC_CHARS),
        d.farmId,
        d.collarId,
        d.reason,
        d.detail,
        Buffer.from(payload.subarray(0, DEAD_LETTER_PAYLOAD_BYTES)),
        payload.byteLength,
        createHash('sha256').update(payload).digest('hex'),
      );
    },
    /** Keeps a farm's newest `keep` dead letters and deletes the rest; returns how many were deleted. */
    trimDeadLetters(farmId: string | null, keep: number): number {
      return trimFarmDeadLetters.run(farmId, keep).changes;
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
