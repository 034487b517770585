/**
 * The Channel port: one way of delivering a Notification (WhatsApp, console, signed webhook).
 * The outbox calls `send` and decides from the result whether to retry, give up or fall back.
 */
import type { Notification } from '../alerts/notification.js';

export type SendResult =
  | {
      ok: true;
      providerMessageId?: string;
      /**
       * It went with fixed wording (a WhatsApp template): free text added to it, such as notes of
       * messages folded in an outage, did not reach the recipient and must ride on a later message.
       */
      fixedWording?: boolean;
    }
  | {
      ok: false;
      /** Whether the same message can succeed later (outage, throttling) or never will (bad number). */
      retryable: boolean;
      /** Lower bound for the next attempt, when the provider said how long to wait. */
      retryAfterMs?: number;
      /** Provider error code or a closed-list word ('network', 'timeout', 'outside-window'); a metric label. */
      code?: string;
      message: string;
      /**
       * The request may have reached the provider (timeout, connection lost after sending): the outbox
       * waits for a status webhook before trying again. This is the at-least-once edge.
       */
      uncertain?: boolean;
      /**
       * The whole channel is unusable (expired token, blocked account), not just this message: the
       * outbox pauses the channel and holds its messages until a send succeeds.
       */
      channelDown?: boolean;
    };

/** Sending limits the outbox applies before calling `send`. */
export interface ChannelLimits {
  /** Messages per second over the whole channel. */
  ratePerSecond?: number;
  /** Minimum time between two messages to the same phone number. */
  recipientIntervalMs?: number;
}

export interface Channel {
  /** Stable name, stored with each outbox row: 'whatsapp', 'console', 'webhook'. */
  name: string;
  limits?: ChannelLimits | undefined;
  send(n: Notification, signal: AbortSignal): Promise<SendResult>;
}

/** Outcome codes that mean "not sent, and not an error" (a reply outside the service window). */
export const SKIP_CODES: ReadonlySet<string> = new Set(['outside-window']);
