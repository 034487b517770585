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
