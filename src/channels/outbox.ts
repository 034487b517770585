/**
 * The durable outbox: every message is written to SQLite before any API call and marked with the
 * provider's message id after. A pump sends due messages in order per contact, within the channel's
 * rate and per-recipient limits. Nothing decided is lost: a retryable failure (5xx, network,
 * throttling) is retried with capped backoff and jitter until the message is stale for its purpose,
 * then folded into the contact's next message; an auth or account error pauses the channel and holds
 * its messages (channel-pause.ts); a permanent refusal is raised (log, metric, fallback channel) and
 * can be re-queued with `cowbell outbox retry`.
 *
 * At-least-once edge: a message is sent twice only when the provider accepted a call whose answer
 * we never recorded (crash, timeout or lost connection mid-call) AND no status webhook for it arrives
 * within `uncertainGraceMs` before the retry.
 */
import type { Registry } from 'prom-client';
import type { Notification } from '../alerts/notification.js';
import type { AlertState } from '../alerts/types.js';
import type { Clock } from '../clock.js';
import type { OutboxSettings, RetrySettings } from '../config/channels-schema.js';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import { createOutboxRepo, type OutboxRepo, type OutboxRow } from '../store/outbox-repo.js';
import type { Channel, SendResult } from './channel.js';
import { createChannelPauses, type PausedChannel } from './channel-pause.js';
import { applyDeliveryStatus, type DeliveryEvent, type StatusUpdate } from './delivery-status.js';
import { createFolding } from './folding.js';
import { createOutboxMetrics, type OutboxMetrics } from './outbox-metrics.js';
import { startOutboxUpkeep } from './outbox-upkeep.js';
import { createOutcomes } from './outcomes.js';
import { createPacer } from './pacer.js';

export type { PausedChannel } from './channel-pause.js';
export type { DeliveryEvent, StatusUpdate } from './delivery-status.js';

export interface OutboxDeps {
  db: Db;
  /** `deliver`: every notification goes to each; `fallback`: what cannot go over them (see README). */
  channels: { deliver: readonly Channel[]; fallback?: Channel | undefined };
  clock: Clock;
  logger: Logger;
  registry: Registry;
  settings: OutboxSettings & { retry: RetrySettings; retryByChannel?: Record<string, RetrySettings> };
  /** Status changes of sent messages, for the alert record (delivered, read, failed). */
  onDelivery?: (event: DeliveryEvent) => void;
  /** An alert's state now, so a message about an answered or closed alert folds instead of waiting. */
  alertState?: (alertId: string) => AlertState | undefined;
  random?: () => number;
}

export interface OutboxHealth {
  /** False while a channel is paused (expired token, missing permission, billing). */
  ok: boolean;
  pending: number;
  oldestPendingAgeS: number | null;
  inFlight: number;
  permanentFailures: number;
  paused: PausedChannel[];
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
  /** Runs one scheduling pass now (tests and benches with a manual clock); returns the next wake time. */
  pump(): number;
  /** Resolves when no API call is in flight. */
  idle(): Promise<void>;
  readonly repo: OutboxRepo;
  readonly metrics: OutboxMetrics;
}

const SCAN_LIMIT = 2000;

export function createOutbox(deps: OutboxDeps): Outbox {
  const repo = createOutboxRepo(deps.db);
  const metrics = createOutboxMetrics(deps.registry);
  const log = deps.logger.child({ component: 'outbox' });
  const pacer = createPacer();
  const random = deps.random ?? Math.random;
  const fallback = deps.channels.fallback;
  const byName = new Map<string, Channel>();
  for (const c of [...deps.channels.deliver, ...(fallback ? [fallback] : [])]) byName.set(c.name, c);
  const inFlight = new Map<string, { done: Promise<void>; abort: AbortController }>();
  const ratios = { accepted: 0, delivered: 0, read: 0 };
  let pumpTimer: NodeJS.Timeout | undefined;
  let stopUpkeep = () => {};
  let running = false;
  /** Held critical alerts already copied to the fallback (the insert is idempotent; this saves it). */
  const handedOver = new Set<string>();

  const retryFor = (channel: string): RetrySettings =>
    deps.settings.retryByChannel?.[channel] ?? deps.settings.retry;
  const pauses = createChannelPauses({
    db: deps.db,
    repo,
    registry: deps.registry,
    logger: log,
    settings: deps.settings.pause,
    fallback,
    random,
    wake: () => schedule(0),
  });
  const folding = createFolding({
    repo,
    metrics,
    logger: log,
    staleAfterHours: deps.settings.staleAfterHours,
    alertState: deps.alertState,
  });
  const outcomes = createOutcomes({
    repo,
    metrics,
    logger: log,
    clock: deps.clock,
    fallback,
    pauses,
    uncertainGraceMs: deps.settings.uncertainGraceMs,
    retryFor,
    random,
    wake: () => schedule(0),
  });

  function schedule(delayMs: number): void {
    if (!running) return;
    if (pumpTimer) clearTimeout(pumpTimer);
    pumpTimer = setTimeout(pump, Math.max(0, Math.min(delayMs, 2_147_000_000)));
  }

  function pump(): number {
    // A manual pump replaces the scheduled one.
    if (pumpTimer) clearTimeout(pumpTimer);
    pumpTimer = undefined;
    if (!deps.db.open) return Number.POSITIVE_INFINITY;
    const now = deps.clock.now();
    const rows = repo.pending(SCAN_LIMIT);
    const lastDigest = folding.latestDigests(rows);
    const heads = new Set<string>();
    let wake = Number.POSITIVE_INFINITY;
    for (const row of rows) {
      const key = `${row.channel}|${row.notification.phone}`;
      const paused = pauses.isPaused(row.channel);
      const critical = row.notification.severity === 'critical';
      if (paused && critical && !handedOver.has(row.id) && pauses.criticalFallbackDue(row.channel, now)) {
        outcomes.toFallback(row, now);
        handedOver.add(row.id);
      }
      // Only the oldest pending message of a contact may go: their messages arrive in order.
      if (heads.has(key) || inFlight.has(key)) {
        heads.add(key);
        continue;
      }
      if (folding.foldIfStale(row, now, (lastDigest.get(key) ?? 0) > row.notification.createdAt)) {
        continue; // the contact's next message becomes the head
      }
      heads.add(key);
      if (inFlight.size >= deps.settings.maxInFlight) break; // a completion pumps again
      if (paused) {
        // One held message at a time tries the channel, at the probe interval.
        const probeAt = pauses.nextProbeAt(row.channel);
        if (probeAt === undefined) continue; // a probe is in flight
        if (probeAt > now) {
          wake = Math.min(wake, probeAt);
          continue;
        }
      } else if (row.nextAttemptAt > now) {
        wake = Math.min(wake, row.nextAttemptAt);
        continue;
      }
      const channel = byName.get(row.channel);
      if (!channel) {
        outcomes.failForGood(row, 'no-channel', `channel ${row.channel} is not configured`, now);
        continue;
      }
      const wait = pacer.reserve(channel.name, row.notification.phone, channel.limits, now);
      if (wait > 0) {
        wake = Math.min(wake, now + wait);
        continue;
      }
      if (paused) pauses.startProbe(row.channel);
      dispatch(row, channel, key, now, paused);
    }
    metrics.pending.set(repo.pendingSummary().count);
    if (Number.isFinite(wake)) schedule(wake - now);
    return wake;
  }

  function dispatch(row: OutboxRow, channel: Channel, key: string, now: number, probe: boolean): void {
    if (!repo.markSending(row.id, row.channel, now)) {
      if (probe) pauses.probeFailed(row.channel, now);
      return;
    }
    if (row.attempts === 0) {
      metrics.requestLatency
        .labels(channel.name, row.notification.severity)
        .observe(Math.max(0, now - row.notification.createdAt) / 1000);
    }
    const { message, carried } = folding.carrying(row);
    const abort = new AbortController();
    const done = channel
      .send(message, abort.signal)
      .catch(
        (err: unknown): SendResult => ({
          ok: false,
          retryable: true,
          uncertain: true,
          code: 'exception',
          message: err instanceof Error ? err.message : String(err),
        }),
      )
      .then((result) => {
        const kind = outcomes.settle(row, channel, result);
        // Folded notes count as delivered only if their text went out (not dropped by a template).
        if (kind === 'sent' && !(result.ok && result.fixedWording === true))
          folding.carried(carried, row, deps.clock.now());
        if (probe && kind !== 'sent') pauses.probeFailed(row.channel, deps.clock.now());
      })
      .catch((err: unknown) => log.error({ err, notificationId: row.id }, 'outbox settle failed'))
      .finally(() => {
        inFlight.delete(key);
        schedule(0);
      });
    inFlight.set(key, { done, abort });
  }

  return {
    repo,
    metrics,
    pump,
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight.values()].map((c) => c.done));
    },
    enqueue(notifications) {
      if (notifications.length === 0) return 0;
      const now = deps.clock.now();
      const rows = notifications.flatMap((n) =>
        deps.channels.deliver.map((c) => ({
          notification: n,
          channel: c.name,
          state: pauses.isPaused(c.name) ? ('held' as const) : ('pending' as const),
        })),
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
      pauses.restore(now);
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
      stopUpkeep = startOutboxUpkeep({
        db: deps.db,
        repo,
        clock: deps.clock,
        keepDays: deps.settings.keepDays,
        pollMs: deps.settings.pollMs,
        onForeignChange: () => schedule(0),
      });
      schedule(0);
    },
    async stop(timeoutMs = 5_000) {
      running = false;
      clearTimeout(pumpTimer);
      pumpTimer = undefined;
      stopUpkeep();
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
      const paused = pauses.list();
      return {
        ok: paused.length === 0,
        pending: summary.count,
        oldestPendingAgeS:
          summary.oldestCreatedAt === null
            ? null
            : Math.max(0, Math.round((now - summary.oldestCreatedAt) / 1000)),
        inFlight: inFlight.size,
        permanentFailures: outcomes.permanentFailures(),
        paused,
      };
    },
    applyStatus(update) {
      const now = deps.clock.now();
      const outcome = applyDeliveryStatus(update, {
        repo,
        metrics,
        now,
        retry: retryFor(update.channel),
        random,
        logger: log,
        ratios,
      });
      if (outcome.kind === 'failed-for-good') {
        const { row, code, message } = outcome;
        if (outcome.channelDown) {
          // Accepted, then refused for an account reason (billing): send it again once the channel is back.
          repo.requeue(row.id, row.channel, now, code, message, now);
          outcomes.hold(row, code, message, now);
        } else {
          outcomes.failForGood(row, code, message, now);
        }
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
