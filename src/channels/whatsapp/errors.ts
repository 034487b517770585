/**
 * Graph API errors and what to do about each code. Meta says to branch on `error.code` (and
 * `error_data.details`), never on the HTTP status: throttling has come back as both 400 and 429
 * (shared/whatsapp-cloud-api.md §2).
 */
import { z } from 'zod';

/** The synchronous error body, loosely: `error_data` is sometimes a string. */
export const graphErrorBodySchema = z.object({
  error: z.object({
    message: z.string().default(''),
    type: z.string().optional(),
    code: z.number().int(),
    error_subcode: z.number().int().optional(),
    is_transient: z.boolean().optional(),
    error_data: z.union([z.object({ details: z.string().optional() }).loose(), z.string()]).optional(),
    fbtrace_id: z.string().optional(),
  }),
});

/** A Graph API error answer (the request reached Meta and was refused). */
export class GraphApiError extends Error {
  override name = 'GraphApiError';
  constructor(
    readonly code: number,
    message: string,
    readonly httpStatus: number,
    readonly details: string | undefined,
    readonly isTransient: boolean | undefined,
  ) {
    super(message);
  }
}

/** The request did not get a Graph answer: connection refused or reset, timeout, non-JSON body. */
export class GraphNetworkError extends Error {
  override name = 'GraphNetworkError';
  constructor(
    message: string,
    /** The request may have been received (timeout or connection lost after sending). */
    readonly uncertain: boolean,
    readonly kind: 'network' | 'timeout' | 'bad-response',
  ) {
    super(message);
  }
}

export type ErrorScope = 'message' | 'recipient' | 'number' | 'channel';

/**
 * Retryable errors have no attempt limit: the outbox retries them with capped backoff until the
 * message is stale for its purpose. Errors with scope `channel` pause the whole channel.
 */
export interface ErrorClass {
  retryable: boolean;
  /** What the error is about: one message, one contact, the business number, or the whole set-up. */
  scope: ErrorScope;
  /** Closed-list reason, used as a metric label. */
  reason: string;
  /** At least this long before retrying (maintenance windows, throttling). */
  minDelayMs?: number;
  /** Resend as an approved template (the 24-hour window is closed). */
  asTemplate?: boolean;
}

const no = (reason: string, scope: ErrorScope = 'message'): ErrorClass => ({
  retryable: false,
  scope,
  reason,
});
const yes = (reason: string, scope: ErrorScope, extra: Partial<ErrorClass> = {}): ErrorClass => ({
  retryable: true,
  scope,
  reason,
  ...extra,
});

/** The error table of shared/whatsapp-cloud-api.md §2, as decisions. */
const TABLE: ReadonlyMap<number, ErrorClass> = new Map<number, ErrorClass>([
  [0, no('auth', 'channel')],
  [190, no('auth', 'channel')],
  [3, no('permission', 'channel')],
  [10, no('permission', 'channel')],
  [4, yes('throttled', 'number', { minDelayMs: 5_000 })],
  [80007, yes('throttled', 'number', { minDelayMs: 5_000 })],
  [130429, yes('throttled', 'number', { minDelayMs: 1_000 })],
  // Spam rate limit: not something a retry fixes soon; an operator must look at quality.
  [131048, no('spam-limit', 'number')],
  [131056, yes('pair-rate', 'recipient')],
  [131049, no('marketing-limit', 'recipient')],
  [130472, no('experiment', 'recipient')],
  [368, no('policy-block', 'channel')],
  [131031, no('account-locked', 'channel')],
  [1, no('unknown')],
  [2, yes('service', 'number')],
  [100, no('bad-request')],
  [131000, yes('unknown-retry', 'message')],
  [131005, no('permission', 'channel')],
  [131008, no('bad-request')],
  [131009, no('bad-request')],
  [131016, yes('service', 'number')],
  [131021, no('bad-recipient', 'recipient')],
  [131026, no('undeliverable', 'recipient')],
  [131042, no('billing', 'channel')],
  [131047, yes('outside-window', 'recipient', { asTemplate: true })],
  [131051, no('bad-request')],
  [131053, no('media')],
  [131057, yes('maintenance', 'number', { minDelayMs: 10_000 })],
  [132000, no('template')],
  [132001, no('template')],
  [132005, no('template')],
  [132007, no('template')],
  [132012, no('template')],
  [132015, no('template-paused')],
  [132016, no('template-paused')],
  [133010, no('not-registered', 'channel')],
  [133004, yes('service', 'number')],
]);

/** Decides what an error code means for the message; unknown codes follow Graph's `is_transient`. */
export function classifyGraphError(code: number, isTransient?: boolean): ErrorClass {
  const known = TABLE.get(code);
  if (known) return known;
  if (code >= 200 && code <= 299) return no('permission', 'channel');
  return isTransient === true ? yes('transient', 'message') : no('unknown');
}
