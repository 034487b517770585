/**
 * Provider statuses (sent, delivered, read, failed) applied to the outbox. Statuses arrive in any
 * order and more than once, so delivery is a monotone max (sent < delivered < read) and a `failed`
 * after `delivered` is ignored (multi-device users). A `failed` with a retryable code puts the message
 * back in the queue; 131047 (window closed) closes the window so the retry goes out as a template.
 */
import type { RetrySettings } from '../config/channels-schema.js';
import type { Logger } from '../observability/logger.js';
import type { OutboxRepo, OutboxRow } from '../store/outbox-repo.js';
import { backoffDelay } from './backoff.js';
import type { OutboxMetrics } from './outbox-metrics.js';
import { classifyGraphError, type ErrorClass } from './whatsapp/errors.js';

export type DeliveryStatusName = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusUpdate {
  channel: string;
  providerMessageId: string;
  status: DeliveryStatusName;
  /** Provider event time, Unix ms. */
  timestampMs: number;
  /** biz_opaque_callback_data echoed back: our notification id. */
  callbackData?: string | undefined;
  errors?: { code: number; message?: string | undefined; details?: string | undefined }[] | undefined;
}

/** What the alert record may want to know about its messages. */
export interface DeliveryEvent {
  notificationId: string;
  channel: string;
  alertIds: string[];
  contactId: string;
  status: DeliveryStatusName;
  atMs: number;
  errorCode?: string | undefined;
}

export type StatusOutcome =
  | { kind: 'unknown' | 'ignored' | 'recorded'; event?: DeliveryEvent | undefined }
  | { kind: 'requeued'; event?: DeliveryEvent | undefined }
  | {
      kind: 'failed-for-good';
      row: OutboxRow;
      code: string;
      message: string;
      channelDown: boolean;
      event?: DeliveryEvent | undefined;
    };

export interface StatusContext {
  repo: OutboxRepo;
  metrics: OutboxMetrics;
  now: number;
  retry: RetrySettings;
  random: () => number;
  logger: Logger;
  /** Counts since start for the delivered and read ratios. */
  ratios: { accepted: number; delivered: number; read: number };
}

const RANK: Record<Exclude<DeliveryStatusName, 'failed'>, number> = { sent: 1, delivered: 2, read: 3 };

export function applyDeliveryStatus(update: StatusUpdate, ctx: StatusContext): StatusOutcome {
  const { repo, metrics, now } = ctx;
  const row = repo.byProviderId(update.providerMessageId) ?? byCallbackData(update, repo);
  if (!row) return { kind: 'unknown' };
  metrics.statuses.labels(update.status).inc();
  const event: DeliveryEvent = {
    notificationId: row.id,
    channel: row.channel,
    alertIds: row.notification.alertIds,
    contactId: row.notification.contactId,
    status: update.status,
    atMs: update.timestampMs,
  };

  if (update.status !== 'failed') {
    const rank = RANK[update.status];
    // The call was accepted although we never recorded its answer (crash or timeout): no resend.
    if (row.providerMessageId === null) repo.markSent(row.id, row.channel, update.providerMessageId, now);
    if (rank > row.deliveryRank) {
      repo.recordDelivery(row.id, row.channel, rank, update.timestampMs, now);
      countRatios(row.deliveryRank, rank, ctx, row, update.timestampMs);
    }
    return { kind: 'recorded', event };
  }

  const first = update.errors?.[0];
  const code = first ? String(first.code) : 'failed';
  const message = first
    ? `${first.message ?? 'failed'}${first.details ? `: ${first.details}` : ''}`
    : 'failed';
  event.errorCode = code;
  if (row.deliveryRank >= 2 || row.state === 'failed' || row.state === 'skipped') {
    return { kind: 'ignored', event };
  }
  const c: ErrorClass = first
    ? classifyGraphError(first.code)
    : { retryable: false, scope: 'message', reason: 'failed' };
  if (c.asTemplate === true) repo.closeWindow(row.notification.phone);
  // No attempt limit: a message that keeps failing folds once it is stale (staleness.ts).
  if (c.retryable) {
    const delay =
      c.asTemplate === true
        ? 0
        : Math.min(
            ctx.retry.maxDelayMs,
            Math.max(backoffDelay(ctx.retry, row.attempts, ctx.random), c.minDelayMs ?? 0),
          );
    repo.requeue(row.id, row.channel, now + delay, code, message, now);
    ctx.logger.warn({ notificationId: row.id, code }, 'message failed after acceptance, will retry');
    return { kind: 'requeued', event };
  }
  return { kind: 'failed-for-good', row, code, message, channelDown: c.scope === 'channel', event };
}

/**
 * A status for a wamid we never recorded belongs to a row only while that row's last call is in
 * flight or uncertain; a row re-queued after a failure must not be taken as sent by a late status of
 * the failed message.
 */
function byCallbackData(update: StatusUpdate, repo: OutboxRepo): OutboxRow | undefined {
  if (!update.callbackData) return undefined;
  const row = repo.get(update.callbackData, update.channel);
  if (!row || row.providerMessageId !== null) return undefined;
  return row.state === 'sending' || row.uncertain ? row : undefined;
}

function countRatios(from: number, to: number, ctx: StatusContext, row: OutboxRow, atMs: number): void {
  const { ratios, metrics } = ctx;
  if (from < 1) ratios.accepted++;
  if (from < 2 && to >= 2) {
    ratios.delivered++;
    metrics.deliveryLatency.observe(Math.max(0, atMs - row.notification.createdAt) / 1000);
  }
  if (from < 3 && to >= 3) ratios.read++;
  if (ratios.accepted > 0) {
    metrics.deliveredRatio.set(ratios.delivered / ratios.accepted);
    metrics.readRatio.set(ratios.read / ratios.accepted);
  }
}
