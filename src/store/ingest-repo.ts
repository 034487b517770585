/**
 * Tables of the ingest path besides the readings themselves (readings-repo.ts): dead letters and
 * per-collar cursors. Cursors are written with the detector snapshot, not per reading: recovery
 * brings them forward from the readings stored after it.
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
  const upsertCursor = db.prepare(
    `INSERT INTO collar_cursors (farm_id, collar_id, last_ts, last_seq, last_seen_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (farm_id, collar_id) DO UPDATE SET last_ts = excluded.last_ts, last_seq = excluded.last_seq,
       last_seen_at = excluded.last_seen_at`,
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
