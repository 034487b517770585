/**
 * Logs a repeated event at most once per interval per key, with how many were folded since:
 * one bad collar must not flood the log (house style: rejected input is logged rate-limited).
 */
import type { Logger } from 'pino';

export function createRateLimitedLog(logger: Logger, intervalMs = 60_000, now: () => number = Date.now) {
  const lastByKey = new Map<string, { at: number; suppressed: number }>();
  return {
    warn(key: string, fields: Record<string, unknown>, message: string): void {
      const t = now();
      const last = lastByKey.get(key);
      if (last && t - last.at < intervalMs) {
        last.suppressed += 1;
        return;
      }
      logger.warn({ ...fields, suppressedSinceLast: last?.suppressed ?? 0 }, message);
      lastByKey.set(key, { at: t, suppressed: 0 });
    },
  };
}
export type RateLimitedLog = ReturnType<typeof createRateLimitedLog>;

/** Longest client-supplied text (topic, user name) put in a log line. */
export const LOG_TEXT_MAX = 200;

/**
 * Client-supplied text cut to `max` characters with its full length noted: a 65,000-character
 * topic must not become a 65,000-character log line.
 */
export function truncateForLog(text: string, max = LOG_TEXT_MAX): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`;
}
