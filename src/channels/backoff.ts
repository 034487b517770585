/**
 * Exponential backoff with jitter: attempt n waits base * factor^(n-1), capped, of which a `jitter`
 * share is random so that many messages failing together do not retry together.
 */
import type { RetrySettings } from '../config/channels-schema.js';

export function backoffDelay(retry: RetrySettings, attempt: number, random: () => number): number {
  const exp = retry.baseDelayMs * retry.factor ** Math.max(0, attempt - 1);
  const capped = Math.min(retry.maxDelayMs, exp);
  return Math.round(capped * (1 - retry.jitter + retry.jitter * random()));
}
