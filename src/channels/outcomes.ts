/**
 * What the outbox does with a call's result: record the provider id, skip, retry with backoff, or
 * raise a permanent failure (log, metric, channel problem for /readyz, fallback channel).
 */
import type { Clock } from '../clock.js';
import type { RetrySettings } from '../config/channels-schema.js';
import type { Logger } from '../observability/logger.js';
import { createRateLimitedLog } from '../observability/rate-limited-log.js';
import type { OutboxRepo, OutboxRow } from '../store/outbox-repo.js';
import { backoffDelay } from './backoff.js';
import { type Channel, type SendResult, SKIP_CODES } from './channel.js';
import type { OutboxMetrics } from './outbox-metrics.js';

export interface ChannelProblem {
  channel: string;
  code: string;
  message: string;
  at: number;
}

export interface OutcomeDeps {
  repo: OutboxRepo;
  metrics: OutboxMetrics;
  logger: Logger;
  clock: Clock;
  fallback: Channel | undefined;
  uncertainGraceMs: number;
  retryFor(channel: string): RetrySettings;
  random: () => number;
  /** Called when a new row (fallback) is due now. */
  wake(): void;
}

export function createOutcomes(deps: OutcomeDeps) {
  const { repo, metrics, logger: log } = deps;
  // An outage makes every message retry: one line per channel and code a minute, with the count.
  const retryLog = createRateLimitedLog(log, 60_000, () => deps.clock.now());
  const problems = new Map<string, ChannelProblem>();
  const lastSuccess = new Map<string, number>();
  let permanentFailures = 0;

  function failForGood(
    row: OutboxRow,
    code: string,
    message: string,
    channelDown: boolean,
    now: number,
  ): void {
    repo.markEnded(row.id, row.channel, 'failed', code, message, now);
    permanentFailures++;
    metrics.permanentFailures.labels(row.channel, code).inc();
    if (channelDown) problems.set(row.channel, { channel: row.channel, code, message, at: now });
    const { farmId, contactId } = row.notification;
    log.error(
      { notificationId: row.id, farmId, contactId, code },
      `${row.channel} refused a message for good: ${message}`,
    );
    const fallback = deps.fallback;
    if (fallback && fallback.name !== row.channel && row.fallbackFor === null) {
      repo.insert(
        [{ notification: row.notification, channel: fallback.name, fallbackFor: row.channel }],
        now,
      );
      metrics.fallbacks.labels(row.channel, fallback.name).inc();
      deps.wake();
    }
  }

  function settle(row: OutboxRow, channel: Channel, result: SendResult): void {
    const now = deps.clock.now();
    const attempts = row.attempts + 1;
    if (result.ok) {
      repo.markSent(row.id, row.channel, result.providerMessageId ?? null, now);
      lastSuccess.set(channel.name, now);
      metrics.attempts.labels(channel.name, 'sent', '').inc();
      return;
    }
    const code = result.code ?? 'error';
    // A status webhook may have proved the call was accepted while we waited for its answer.
    if (repo.get(row.id, row.channel)?.providerMessageId) {
      repo.markSent(row.id, row.channel, null, now);
      metrics.attempts.labels(channel.name, 'sent', '').inc();
      return;
    }
    if (SKIP_CODES.has(code)) {
      repo.markEnded(row.id, row.channel, 'skipped', code, result.message, now);
      metrics.attempts.labels(channel.name, 'skipped', code).inc();
      log.info({ notificationId: row.id, purpose: row.notification.purpose, code }, 'message not sent');
      return;
    }
    const retry = deps.retryFor(channel.name);
    const maxAttempts = Math.min(retry.maxAttempts, result.maxAttempts ?? Number.POSITIVE_INFINITY);
    if (result.retryable && attempts < maxAttempts) {
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
      return;
    }
    metrics.attempts.labels(channel.name, 'failed', code).inc();
    failForGood(row, code, result.message, result.channelDown === true, now);
  }

  return {
    settle,
    failForGood,
    permanentFailures: () => permanentFailures,
    /** Channel-wide problems with no success since. */
    openProblems: (): ChannelProblem[] =>
      [...problems.values()].filter((p) => p.at > (lastSuccess.get(p.channel) ?? 0)),
  };
}
