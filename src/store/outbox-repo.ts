/**
 * The outbox tables: messages to deliver (one row per notification and channel), WhatsApp
 * customer-service windows, webhook de-duplication keys and the webhook inbox.
 */
import type { Notification } from '../alerts/notification.js';
import type { Db } from './db.js';

/**
 * pending: waits for its turn; held: its channel is paused (auth error), goes out when it is back;
 * sending: in an API call; sent; failed: refused for good; skipped: not sent, and not an error
 * (a reply outside the window); folded: stale for its purpose, its text rides on the next message.
 */
export type OutboxState = 'pending' | 'held' | 'sending' | 'sent' | 'failed' | 'skipped' | 'folded';

export interface OutboxRow {
  id: string;
  channel: string;
  notification: Notification;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  enqueuedAt: number;
  firstRequestAt: number | null;
  lastRequestAt: number | null;
  providerMessageId: string | null;
  /** 0 none, 1 sent, 2 delivered, 3 read (the provider's statuses, kept as a monotone max). */
  deliveryRank: number;
  lastErrorCode: string | null;
  fallbackFor: string | null;
  /** The last call may have reached the provider although its answer was lost. */
  uncertain: boolean;
}

interface RawRow {
  id: string;
  channel: string;
  payload: string;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number;
  enqueued_at: number;
  first_request_at: number | null;
  last_request_at: number | null;
  provider_message_id: string | null;
  delivery_rank: number;
  last_error_code: string | null;
  fallback_for: string | null;
  uncertain: number;
}

const COLUMNS = `id, channel, payload, state, attempts, next_attempt_at, enqueued_at, first_request_at,
  last_request_at, provider_message_id, delivery_rank, last_error_code, fallback_for, uncertain`;

function toRow(raw: RawRow): OutboxRow {
  return {
    id: raw.id,
    channel: raw.channel,
    notification: JSON.parse(raw.payload) as Notification,
    state: raw.state,
    attempts: raw.attempts,
    nextAttemptAt: raw.next_attempt_at,
    enqueuedAt: raw.enqueued_at,
    firstRequestAt: raw.first_request_at,
    lastRequestAt: raw.last_request_at,
    providerMessageId: raw.provider_message_id,
    deliveryRank: raw.delivery_rank,
    lastErrorCode: raw.last_error_code,
    fallbackFor: raw.fallback_for,
    uncertain: raw.uncertain === 1,
  };
}

export interface NewOutboxRow {
  notification: Notification;
  channel: string;
  fallbackFor?: string | undefined;
  /** 'held' when the channel is paused. */
  state?: 'pending' | 'held';
}

export type OutboxRepo = ReturnType<typeof createOutboxRepo>;

export function createOutboxRepo(db: Db) {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO outbox (id, channel, farm_id, contact_id, phone, purpose, severity, payload, state,
       next_attempt_at, created_at, enqueued_at, fallback_for, updated_at)
     VALUES (@id, @channel, @farmId, @contactId, @phone, @purpose, @severity, @payload, @state,
       @now, @createdAt, @now, @fallbackFor, @now)`,
  );
  const insertMany = db.transaction((rows: readonly NewOutboxRow[], now: number) => {
    let inserted = 0;
    for (const { notification: n, channel, fallbackFor, state } of rows) {
      inserted += insert.run({
        id: n.id,
        channel,
        farmId: n.farmId,
        contactId: n.contactId,
        phone: n.phone,
        purpose: n.purpose,
        severity: n.severity,
        payload: JSON.stringify(n),
        now,
        createdAt: n.createdAt,
        fallbackFor: fallbackFor ?? null,
        state: state ?? 'pending',
      }).changes;
    }
    return inserted;
  });
  const pendingStmt = db.prepare(
    `SELECT ${COLUMNS} FROM outbox WHERE state IN ('pending', 'held') ORDER BY created_at, enqueued_at, id LIMIT ?`,
  );
  const byKeyStmt = db.prepare(`SELECT ${COLUMNS} FROM outbox WHERE id = ? AND channel = ?`);
  const byProviderStmt = db.prepare(`SELECT ${COLUMNS} FROM outbox WHERE provider_message_id = ?`);
  const sendingStmt = db.prepare(
    `UPDATE outbox SET state = 'sending', attempts = attempts + 1, first_request_at = coalesce(first_request_at, @now),
       last_request_at = @now, updated_at = @now
     WHERE id = @id AND channel = @channel AND state IN ('pending', 'held')`,
  );
  const sentStmt = db.prepare(
    `UPDATE outbox SET state = 'sent', sent_at = coalesce(sent_at, @now),
       provider_message_id = coalesce(provider_message_id, @providerId), last_error_code = NULL, last_error = NULL,
       uncertain = 0, updated_at = @now WHERE id = @id AND channel = @channel`,
  );
  const retryStmt = db.prepare(
    `UPDATE outbox SET state = 'pending', next_attempt_at = @nextAt, last_error_code = @code, last_error = @message,
       uncertain = @uncertain, updated_at = @now WHERE id = @id AND channel = @channel`,
  );
  const requeueStmt = db.prepare(
    `UPDATE outbox SET state = 'pending', next_attempt_at = @nextAt, last_error_code = @code, last_error = @message,
       provider_message_id = NULL, delivery_rank = 0, uncertain = 0, updated_at = @now
     WHERE id = @id AND channel = @channel`,
  );
  const endStmt = db.prepare(
    `UPDATE outbox SET state = @state, last_error_code = @code, last_error = @message, updated_at = @now
     WHERE id = @id AND channel = @channel`,
  );
  const holdStmt = db.prepare(
    `UPDATE outbox SET state = 'held', last_error_code = @code, last_error = @message, uncertain = 0,
       updated_at = @now WHERE id = @id AND channel = @channel`,
  );
  const holdAllStmt = db.prepare(
    `UPDATE outbox SET state = 'held', updated_at = @now WHERE channel = @channel AND state = 'pending'`,
  );
  const releaseAllStmt = db.prepare(
    `UPDATE outbox SET state = 'pending', next_attempt_at = @now, updated_at = @now
     WHERE channel = @channel AND state = 'held'`,
  );
  const uncarriedStmt = db.prepare(
    `SELECT ${COLUMNS} FROM outbox WHERE channel = ? AND phone = ? AND state = 'folded' AND carried_into IS NULL
       AND id <> ? ORDER BY created_at LIMIT 20`,
  );
  const carriedStmt = db.prepare(
    'UPDATE outbox SET carried_into = @into, updated_at = @now WHERE id = @id AND channel = @channel',
  );
  const recoverStmt = db.prepare(
    `UPDATE outbox SET state = 'pending', next_attempt_at = @nextAt, last_error_code = 'interrupted',
       last_error = 'the daemon stopped during the API call; the request may have been received',
       uncertain = 1, updated_at = @now WHERE state = 'sending'`,
  );
  const deliveryStmt = db.prepare(
    `UPDATE outbox SET delivery_rank = max(delivery_rank, @rank),
       delivered_at = CASE WHEN @rank >= 2 THEN coalesce(delivered_at, @at) ELSE delivered_at END,
       read_at = CASE WHEN @rank >= 3 THEN coalesce(read_at, @at) ELSE read_at END,
       updated_at = @now WHERE id = @id AND channel = @channel`,
  );
  const countPendingStmt = db.prepare(
    `SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE state IN ('pending', 'held', 'sending')`,
  );
  const lastRequestsStmt = db.prepare(
    `SELECT phone, max(last_request_at) AS at FROM outbox
     WHERE channel = ? AND last_request_at >= ? GROUP BY phone`,
  );
  const windowGet = db.prepare('SELECT last_inbound_at AS at FROM whatsapp_windows WHERE phone = ?');
  const windowPut = db.prepare(
    `INSERT INTO whatsapp_windows (phone, last_inbound_at) VALUES (?, ?)
     ON CONFLICT (phone) DO UPDATE SET last_inbound_at = max(last_inbound_at, excluded.last_inbound_at)`,
  );
  const windowClose = db.prepare('UPDATE whatsapp_windows SET last_inbound_at = 0 WHERE phone = ?');
  const seenStmt = db.prepare('INSERT OR IGNORE INTO webhook_seen (key, seen_at) VALUES (?, ?)');
  const inboxAdd = db.prepare('INSERT INTO webhook_inbox (received_at, body) VALUES (?, ?)');
  const inboxList = db.prepare('SELECT id, body FROM webhook_inbox ORDER BY id LIMIT ?');
  const inboxDel = db.prepare('DELETE FROM webhook_inbox WHERE id = ?');
  const pruneOutbox = db.prepare(
    `DELETE FROM outbox WHERE state IN ('sent', 'failed', 'skipped', 'folded') AND updated_at < ?`,
  );
  const pruneSeen = db.prepare('DELETE FROM webhook_seen WHERE seen_at < ?');

  const one = (raw: unknown): OutboxRow | undefined => (raw ? toRow(raw as RawRow) : undefined);

  return {
    /** Inserts rows not already there (idempotent by notification id and channel); one transaction. */
    insert: (rows: readonly NewOutboxRow[], now: number): number => insertMany(rows, now),
    /** Pending and held rows, oldest first (due or not: the caller keeps each contact's messages in order). */
    pending: (limit: number): OutboxRow[] => (pendingStmt.all(limit) as RawRow[]).map(toRow),
    get: (id: string, channel: string) => one(byKeyStmt.get(id, channel)),
    byProviderId: (providerId: string) => one(byProviderStmt.get(providerId)),
    /** Claims a pending row for an API call; false when someone else changed it first. */
    markSending: (id: string, channel: string, now: number): boolean =>
      sendingStmt.run({ id, channel, now }).changes === 1,
    markSent: (id: string, channel: string, providerId: string | null, now: number): void => {
      sentStmt.run({ id, channel, providerId, now });
    },
    markRetry: (
      id: string,
      channel: string,
      nextAt: number,
      code: string,
      message: string,
      uncertain: boolean,
      now: number,
    ) => {
      retryStmt.run({ id, channel, nextAt, code, message, uncertain: uncertain ? 1 : 0, now });
    },
    /** A sent message failed later (status webhook): send it again as a new message. */
    requeue: (id: string, channel: string, nextAt: number, code: string, message: string, now: number) => {
      requeueStmt.run({ id, channel, nextAt, code, message, now });
    },
    markEnded: (
      id: string,
      channel: string,
      state: 'failed' | 'skipped' | 'folded',
      code: string,
      message: string,
      now: number,
    ) => {
      endStmt.run({ id, channel, state, code, message, now });
    },
    /** The channel is paused: this message waits for it (not failed). */
    hold: (id: string, channel: string, code: string, message: string, now: number): void => {
      holdStmt.run({ id, channel, code, message, now });
    },
    /** Holds every pending message of a paused channel; returns how many. */
    holdAll: (channel: string, now: number): number => holdAllStmt.run({ channel, now }).changes,
    /** The channel is back: its held messages are due now, in their order. */
    releaseAll: (channel: string, now: number): number => releaseAllStmt.run({ channel, now }).changes,
    /** Folded messages to this phone whose text has not yet gone out with a later message. */
    uncarried: (channel: string, phone: string, exceptId: string): OutboxRow[] =>
      (uncarriedStmt.all(channel, phone, exceptId) as RawRow[]).map(toRow),
    markCarried: (ids: readonly string[], channel: string, into: string, now: number): void => {
      for (const id of ids) carriedStmt.run({ id, channel, into, now });
    },
    /** After a restart: rows caught mid-call go back to pending, after a grace period. */
    recoverInFlight: (now: number, graceMs: number): number =>
      recoverStmt.run({ now, nextAt: now + graceMs }).changes,
    recordDelivery: (id: string, channel: string, rank: number, at: number, now: number): void => {
      deliveryStmt.run({ id, channel, rank, at, now });
    },
    pendingSummary: (): { count: number; oldestCreatedAt: number | null } => {
      const r = countPendingStmt.get() as { n: number; oldest: number | null };
      return { count: r.n, oldestCreatedAt: r.oldest };
    },
    /** Last API request time per phone since `sinceMs`: seeds the pair-rate pacing after a restart. */
    lastRequests: (channel: string, sinceMs: number): Map<string, number> =>
      new Map(
        (lastRequestsStmt.all(channel, sinceMs) as { phone: string; at: number }[]).map((r) => [
          r.phone,
          r.at,
        ]),
      ),
    lastInboundAt: (phone: string): number | undefined =>
      (windowGet.get(phone) as { at: number } | undefined)?.at,
    recordInbound: (phone: string, at: number): void => {
      windowPut.run(phone, at);
    },
    closeWindow: (phone: string): void => {
      windowClose.run(phone);
    },
    /** Records a webhook event key; false when it was seen before (a redelivery). */
    firstSeen: (key: string, now: number): boolean => seenStmt.run(key, now).changes === 1,
    inboxAdd: (body: Buffer, now: number): number => Number(inboxAdd.run(now, body).lastInsertRowid),
    inboxList: (limit: number): { id: number; body: Buffer }[] =>
      inboxList.all(limit) as { id: number; body: Buffer }[],
    inboxRemove: (id: number): void => {
      inboxDel.run(id);
    },
    /** Deletes finished rows and webhook keys older than the cut-offs. */
    prune: (finishedBefore: number, seenBefore: number): void => {
      pruneOutbox.run(finishedBefore);
      pruneSeen.run(seenBefore);
    },
  };
}
