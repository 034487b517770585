/**
 * Send pacing: a token bucket per channel (messages per second for the business number) and a
 * minimum gap per recipient (WhatsApp's pair rate limit, about one message every 6 s to one user).
 * Messages over the limits stay in the outbox until the pacer lets them go.
 */
import type { ChannelLimits } from './channel.js';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export interface Pacer {
  /** 0 and the slot is taken when the message may go now; otherwise milliseconds to wait. */
  reserve(channel: string, phone: string, limits: ChannelLimits | undefined, now: number): number;
  /** Remembers an earlier request to this phone (from the database, after a restart). */
  seed(channel: string, phone: string, lastRequestAt: number, limits: ChannelLimits | undefined): void;
}

export function createPacer(): Pacer {
  const buckets = new Map<string, Bucket>();
  const nextByRecipient = new Map<string, number>();

  return {
    reserve(channel, phone, limits, now) {
      const recipientKey = `${channel}|${phone}`;
      const pairWait = (nextByRecipient.get(recipientKey) ?? 0) - now;
      if (pairWait > 0) return pairWait;
      const rate = limits?.ratePerSecond;
      if (rate !== undefined && rate > 0) {
        // A quarter second's worth: requests arrive at the API bunched up by network jitter, so
        // bursts stay well inside the provider's per-second budget.
        const capacity = Math.max(1, rate / 4);
        const bucket = buckets.get(channel) ?? { tokens: capacity, updatedAt: now };
        bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updatedAt) * rate) / 1000);
        bucket.updatedAt = now;
        buckets.set(channel, bucket);
        if (bucket.tokens < 1) return Math.ceil(((1 - bucket.tokens) * 1000) / rate);
        bucket.tokens -= 1;
      }
      const interval = limits?.recipientIntervalMs ?? 0;
      if (interval > 0) nextByRecipient.set(recipientKey, now + interval);
      return 0;
    },
    seed(channel, phone, lastRequestAt, limits) {
      const interval = limits?.recipientIntervalMs ?? 0;
      if (interval > 0) nextByRecipient.set(`${channel}|${phone}`, lastRequestAt + interval);
    },
  };
}
