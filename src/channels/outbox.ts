/**
 * The durable outbox: every message is written to SQLite before any API call and marked with the
 * provider's message id after. A pump sends due messages in order per contact, within the channel's
 * rate and per-recipient limits, retries what can succeed later with exponential backoff and jitter,
 * and raises what cannot (log, metric, readiness detail, fallback channel).
 *
 * At-least-once edge: a message is sent twice only when the provider accepted a call whose answer
 * we never recorded (crash, timeout or lost connection mid-call) AND no status webhook for it arrives
 * within `uncertainGraceMs` before the retry.
 */
import type { Registry } from 'prom-client';
import type { Notification } from '../alerts/notification.js';
import type { Clock } from '../clock.js';
import type { OutboxSettings, RetrySettings } from '../config/channels-schema.js';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import { createOutboxRepo, type OutboxRepo, type OutboxRow } from '../store/outbox-repo.js';
import type { Channel, SendResult } from './channel.js';
import { applyDeliveryStatus, type DeliveryEvent, type StatusUpdate } from './delivery-status.js';
import { createOutboxMetrics, type OutboxMetrics } from './outbox-metrics.js';
import { type ChannelProblem, createOutcomes } from './outcomes.js';
import { createPacer } from './pacer.js';

export type { DeliveryEvent, StatusUpdate } from './delivery-status.js';
export type { ChannelProblem } from './outcomes.js';

export interface OutboxDeps {
  db: Db;
  /** `deliver`: every notification goes to each; `fallback`: gets what one of them refused for good. */
  channels: { deliver: readonly Channel[]; fallback?: Channel | undefined };
  clock: Clock;
  logger: Logger;
  registry: Registry;
  settings: OutboxSettings & { retry: RetrySettings; retryByChannel?: Record<string, RetrySettings> };
  /** Status changes of sent messages, for the alert record (delivered, read, failed). */
  onDelivery?: (event: DeliveryEvent) => void;
  random?: () => number;
}

export interface OutboxHealth {
  /** False while a channel is down as a whole (expired token, blocked account) with no success since. */
  ok: boolean;
  pending: number;
  oldestPendingAgeS: number | null;
  inFlight: number;
  permanentFailures: number;
  problems: ChannelProblem[];
}

export interface Outbox {
  /** Writes the notifications for every delivery channel in one transaction; ignores ids already there. */
  enqueue(notifications: readonly Notification[]): number;
  start(): void;
  /** Stops the pump and waits for calls in flight, at most `timeoutMs`, then aborts them. */
  stop(timeoutMs?: number): Promise<void>;
  pending(): number;
  health(): OutboxHealth;
  /** Applies a provider status (from the WhatsApp webhook). */
  applyStatus(update: StatusUpdate): void;
  /** The row a provider message id belongs to (links a reply's context to its alerts). */
  byProviderId(providerMessageId: string): OutboxRow | undefined;
  /** Runs one scheduling pass now (tests with a manual clock). */
  pump(): void;
  readonly repo: OutboxRepo;
  readonly metrics: OutboxMetrics;
}

const SCAN_LIMIT = 2000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** Meta redelivers webhooks for up to 7 days: keep their keys a little longer. */
const SEEN_KEEP_MS = 8 * 24 * 60 * 60 * 1000;

export function createOutbox(deps: OutboxDeps): Outbox {
  const repo = createOutboxRepo(deps.db);
  const metrics = createOutboxMetrics(deps.registry);
  const log = deps.logger.child({ component: 'outbox' });
  const pacer = createPacer();
  const random = deps.random ?? Math.random;
  const byName = new Map<string, Channel>();
  for (const c of [...deps.channels.deliver, ...(deps.channels.fallback ? [deps.channels.fallback] : [])]) {
    byName.set(c.name, c);
  }
  const inFlight = new Map<string, { done: Promise<void>; abort: AbortController }>();
  const ratios = { accepted: 0, delivered: 0, read: 0 };
  let timer: NodeJS.Timeout | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  let running = false;

  const retryFor = (channel: string): RetrySettings =>
    deps.settings.retryByChannel?.[channel] ?? deps.settings.retry;
  const outcomes = createOutcomes({
    repo,
    metrics,
    logger: log,
    clock: deps.clock,
    fallback: deps.channels.fallback,
    uncertainGraceMs: deps.settings.uncertainGraceMs,
    retryFor,
    random,
    wake: () => schedule(0),
  });

  function schedule(delayMs: number): void {
    if (!running) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(pump, Math.max(0, Math.min(delayMs, 2_147_000_000)));
  }

  function pump(): void {
    // A manual pump replaces the scheduled one.
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!deps.db.open) return;
    const now = deps.clock.now();
    const heads = new Set<string>();
    let wake = Number.POSITIVE_INFINITY;
    for (const row of repo.pending(SCAN_LIMIT)) {
      const key = `${row.channel}|${row.notification.phone}`;
      // Only the oldest pending message of a contact may go: their messages arrive in order.
      if (heads.has(key)) continue;
      heads.add(key);
      if (inFlight.has(key)) continue;
      if (inFlight.size >= deps.settings.maxInFlight) break; // a completion pumps again
      if (row.nextAttemptAt > now) {
        wake = Math.min(wake, row.nextAttemptAt);
        continue;
      }
      const channel = byName.get(row.channel);
      if (!channel) {
        repo.markEnded(
          row.id,
          row.channel,
          'failed',
          'no-channel',
          `channel ${row.channel} is not configured`,
          now,
        );
        continue;
      }
      const wait = pacer.reserve(channel.name, row.notification.phone, channel.limits, now);
      if (wait > 0) {
        wake = Math.min(wake, now + wait);
        continue;
      }
      dispatch(row, channel, key, now);
    }
    updatePendingGauge();
    if (Number.isFinite(wake)) schedule(wake - now);
  }

  function dispatch(row: OutboxRow, channel: Channel, key: string, now: number): void {
    if (!repo.markSending(row.id, row.channel, now)) return;
    if (row.attempts === 0) {
      metrics.requestLatency
        .labels(channel.name, row.notification.severity)
        .observe(Math.max(0, now - row.notification.createdAt) / 1000);
    }
    const abort = new AbortController();
    const done = channel
      .send(row.notification, abort.signal)
      .catch(
        (err: unknown): SendResult => ({
          ok: false,
          retryable: true,
          uncertain: true,
          code: 'exception',
          message: err instanceof Error ? err.message : String(err),
        }),
      )
      .then((result) => outcomes.settle(row, channel, result))
      .catch((err: unknown) => log.error({ err, notificationId: row.id }, 'outbox settle failed'))
      .finally(() => {
        inFlight.delete(key);
        schedule(0);
      });
    inFlight.set(key, { done, abort });
  }

  function updatePendingGauge(): void {
    metrics.pending.set(repo.pendingSummary().count);
  }

  return {
    repo,
    metrics,
    pump,
    enqueue(notifications) {
      if (notifications.length === 0) return 0;
      const now = deps.clock.now();
      const rows = notifications.flatMap((n) =>
        deps.channels.deliver.map((c) => ({ notification: n, channel: c.name })),
      );
      const inserted = repo.insert(rows, now);
      for (const c of deps.channels.deliver) metrics.enqueued.labels(c.name).inc(notifications.length);
      schedule(0);
      return inserted;
    },
    start() {
      if (running) return;
      running = true;
      const now = deps.clock.now();
      const recovered = repo.recoverInFlight(now, deps.settings.uncertainGraceMs);
      if (recovered > 0) {
        log.warn(
          { recovered },
          'messages were mid-call at the last stop; waiting for their statuses before resending',
        );
      }
      for (const channel of byName.values()) {
        const interval = channel.limits?.recipientIntervalMs ?? 0;
        if (interval <= 0) continue;
        for (const [phone, at] of repo.lastRequests(channel.name, now - interval)) {
          pacer.seed(channel.name, phone, at, channel.limits);
        }
      }
      const prune = () => {
        const t = deps.clock.now();
        repo.prune(t - deps.settings.keepDays * 86_400_000, t - SEEN_KEEP_MS);
      };
      prune();
      pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
      pruneTimer.unref();
      schedule(0);
    },
    async stop(timeoutMs = 5_000) {
      running = false;
      if (timer) clearTimeout(timer);
      if (pruneTimer) clearInterval(pruneTimer);
      timer = undefined;
      const settled = () => Promise.all([...inFlight.values()].map((c) => c.done));
      await within(settled(), timeoutMs);
      // Aborted calls are recorded as uncertain (retried after the grace period) before we return,
      // so the caller can close the database right after.
      for (const c of inFlight.values()) c.abort.abort();
      await within(settled(), 1_000);
    },
    pending: () => repo.pendingSummary().count,
    health() {
      const summary = repo.pendingSummary();
      const now = deps.clock.now();
      const open = outcomes.openProblems();
      return {
        ok: open.length === 0,
        pending: summary.count,
        oldestPendingAgeS:
          summary.oldestCreatedAt === null
            ? null
            : Math.max(0, Math.round((now - summary.oldestCreatedAt) / 1000)),
        inFlight: inFlight.size,
        permanentFailures: outcomes.permanentFailures(),
        problems: open,
      };
    },
    applyStatus(update) {
      const outcome = applyDeliveryStatus(update, {
        repo,
        metrics,
        now: deps.clock.now(),
        retry: retryFor(update.channel),
        random,
        logger: log,
        ratios,
      });
      if (outcome.kind === 'failed-for-good') {
        outcomes.failForGood(
          outcome.row,
          outcome.code,
          outcome.message,
          outcome.channelDown,
          deps.clock.now(),
        );
      }
      if (outcome.kind === 'requeued') schedule(0);
      if (outcome.event) deps.onDelivery?.(outcome.event);
    },
    byProviderId: (id) => repo.byProviderId(id),
  };
}

/** Waits for `work`, at most `ms`. */
async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([work, expired]);
  clearTimeout(timer);
}
