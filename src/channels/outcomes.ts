/**
 * What the outbox does with a call's result: record the provider id, skip, hold it while the
 * channel is paused (auth or account errors), retry with capped backoff (no attempt limit: the
 * message folds when it is stale), or raise a permanent failure (log, metric, fallback channel).
 */
import type { Clock } from '../clock.js';
import type { RetrySettings } from '../config/channels-schema.js';
import type { Logger } from '../observability/logger.js';
import { createRateLimitedLog } from '../observability/rate-limited-log.js';
import type { OutboxRepo, OutboxRow } from '../store/outbox-repo.js';
import { backoffDelay } from './backoff.js';
import { type Channel, type SendResult, SKIP_CODES } from './channel.js';
import type { ChannelPauses } from './channel-pause.js';
import type { OutboxMetrics } from './outbox-metrics.js';

export interface OutcomeDeps {
  repo: OutboxRepo;
  metrics: OutboxMetrics;
  logger: Logger;
  clock: Clock;
  fallback: Channel | undefined;
  pauses: ChannelPauses;
  uncertainGraceMs: number;
  retryFor(channel: string): RetrySettings;
  random: () => number;
  /** Called when a new row (fallback) is due now. */
  wake(): void;
}

export type SettleKind = 'sent' | 'skipped' | 'held' | 'retry' | 'failed';

export function createOutcomes(deps: OutcomeDeps) {
  const { repo, metrics, logger: log } = deps;
  // An outage makes every message retry: one line per channel and code a minute, with the count.
  const retryLog = createRateLimitedLog(log, 60_000, () => deps.clock.now());
  let permanentFailures = 0;

  /** Hands a copy to the fallback channel (once per message: the insert is idempotent). */
  function toFallback(row: OutboxRow, now: number): void {
    const fallback = deps.fallback;
    if (!fallback || fallback.name === row.channel || row.fallbackFor !== null) return;
    const inserted = repo.insert(
      [{ notification: row.notification, channel: fallback.name, fallbackFor: row.channel }],
      now,
    );
    if (inserted === 0) return;
    metrics.fallbacks.labels(row.channel, fallback.name).inc();
    deps.wake();
  }

  function failForGood(row: OutboxRow, code: string, message: string, now: number): void {
    repo.markEnded(row.id, row.channel, 'failed', code, message, now);
    permanentFailures++;
    metrics.permanentFailures.labels(row.channel, code).inc();
    const { farmId, contactId } = row.notification;
    log.error(
      { notificationId: row.id, farmId, contactId, code },
      `${row.channel} refused a message for good: ${message}`,
    );
    toFallback(row, now);
  }

  /** The whole channel is down (expired token): the message waits for it, the channel pauses. */
  function hold(row: OutboxRow, code: string, message: string, now: number): void {
    repo.hold(row.id, row.channel, code, message, now);
    deps.pauses.pause(row.channel, code, message, now);
  }

  function settle(row: OutboxRow, channel: Channel, result: SendResult): SettleKind {
    const now = deps.clock.now();
    const attempts = row.attempts + 1;
    if (result.ok) {
      repo.markSent(row.id, row.channel, result.providerMessageId ?? null, now);
      metrics.attempts.labels(channel.name, 'sent', '').inc();
      deps.pauses.resume(channel.name, now);
      return 'sent';
    }
    const code = result.code ?? 'error';
    // A status webhook may have proved the call was accepted while we waited for its answer.
    if (repo.get(row.id, row.channel)?.providerMessageId) {
      repo.markSent(row.id, row.channel, null, now);
      metrics.attempts.labels(channel.name, 'sent', '').inc();
      return 'sent';
    }
    if (SKIP_CODES.has(code)) {
      repo.markEnded(row.id, row.channel, 'skipped', code, result.message, now);
      metrics.attempts.labels(channel.name, 'skipped', code).inc();
      log.info({ notificationId: row.id, purpose: row.notification.purpose, code }, 'message not sent');
      return 'skipped';
    }
    if (result.channelDown === true) {
      metrics.attempts.labels(channel.name, 'held', code).inc();
      hold(row, code, result.message, now);
      return 'held';
    }
    if (result.retryable) {
      const retry = deps.retryFor(channel.name);
      // The provider's own wait counts, but never beyond the configured longest wait.
      const backoff = backoffDelay(retry, attempts, deps.random);
      const wait = Math.min(retry.maxDelayMs, Math.max(backoff, result.retryAfterMs ?? 0));
      const delay = Math.max(wait, result.uncertain ? deps.uncertainGraceMs : 0);
      repo.markRetry(row.id, row.channel, now + delay, code, result.message, result.uncertain === true, now);
      metrics.attempts.labels(channel.name, 'retry', code).inc();
      retryLog.warn(
        `${channel.name}:${code}`,
        { channel: channel.name, code, notificationId: row.id, attempts, retryInMs: delay },
        `delivery failed, will retry: ${result.message}`,
      );
      return 'retry';
    }
    metrics.attempts.labels(channel.name, 'failed', code).inc();
    failForGood(row, code, result.message, now);
    return 'failed';
  }

  return {
    settle,
    failForGood,
    hold,
    toFallback,
    permanentFailures: () => permanentFailures,
  };
}
