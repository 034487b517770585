/**
 * What `cowbell outbox list|retry` reads and changes, on the daemon's database from another process
 * (SQLite WAL lets both write; the daemon notices the change through PRAGMA data_version).
 */
import type { Db } from './db.js';

export const LISTED_STATES = ['pending', 'held', 'sending', 'sent', 'failed', 'skipped', 'folded'] as const;
export type ListedState = (typeof LISTED_STATES)[number];

export interface ListedRow {
  id: string;
  channel: string;
  farmId: string;
  contactId: string;
  purpose: string;
  severity: string;
  state: ListedState;
  attempts: number;
  createdAt: number;
  updatedAt: number;
  lastErrorCode: string | null;
  lastError: string | null;
}

export interface ListFilter {
  states?: readonly ListedState[] | undefined;
  farmId?: string | undefined;
  limit: number;
}

/** States `retry` puts back in the queue: refused for good, or folded as stale. */
const RETRYABLE = "('failed', 'folded')";

export function createOutboxAdminRepo(db: Db) {
  const requeue = db.prepare(
    `UPDATE outbox SET state = 'pending', next_attempt_at = @now, carried_into = NULL, updated_at = @now
     WHERE id = @id AND state IN ${RETRYABLE}`,
  );
  const requeueAll = db.prepare(
    `UPDATE outbox SET state = 'pending', next_attempt_at = @now, updated_at = @now WHERE state = 'failed'`,
  );
  const states = db.prepare('SELECT channel, state FROM outbox WHERE id = ? ORDER BY channel');
  return {
    list(filter: ListFilter): ListedRow[] {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (filter.states && filter.states.length > 0) {
        where.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
        params.push(...filter.states);
      }
      if (filter.farmId) {
        where.push('farm_id = ?');
        params.push(filter.farmId);
      }
      const sql = `SELECT id, channel, farm_id AS farmId, contact_id AS contactId, purpose, severity, state,
          attempts, created_at AS createdAt, updated_at AS updatedAt, last_error_code AS lastErrorCode,
          last_error AS lastError
        FROM outbox ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id LIMIT ?`;
      return db.prepare(sql).all(...params, filter.limit) as ListedRow[];
    },
    /** The rows of one notification id with their states (to explain why a retry did nothing). */
    statesOf: (id: string): { channel: string; state: ListedState }[] =>
      states.all(id) as { channel: string; state: ListedState }[],
    /** Re-queues a failed or folded message (every channel row of that id); returns how many. */
    retry: (id: string, now: number): number => requeue.run({ id, now }).changes,
    retryAllFailed: (now: number): number => requeueAll.run({ now }).changes,
  };
}
