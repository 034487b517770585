/**
 * The WhatsApp channel: picks a session message inside the contact's 24-hour customer-service
 * window (tracked from incoming webhooks) and an approved template outside it, sends it through the
 * Graph client and turns the answer into a SendResult by error code.
 */
import type { Notification } from '../../alerts/notification.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../observability/logger.js';
import type { Channel, SendResult } from '../channel.js';
import { classifyGraphError, GraphApiError, GraphNetworkError } from './errors.js';
import type { GraphClient } from './graph-client.js';
import { locationMessage, sessionMessage, templateMessage } from './messages.js';
import type { TemplateCatalog } from './templates.js';

export const WINDOW_MS = 24 * 60 * 60 * 1000;

/** Where the last incoming message of each contact is recorded (the outbox repository). */
export interface WindowStore {
  lastInboundAt(phone: string): number | undefined;
  closeWindow(phone: string): void;
}

export interface WhatsAppChannelDeps {
  client: GraphClient;
  catalog: TemplateCatalog;
  windows: WindowStore;
  clock: Clock;
  logger: Logger;
  /** Safety margin: the window counts as closed this long before it really closes. */
  windowMarginMs: number;
  sendRatePerSecond: number;
  pairRateSeconds: number;
}

export function createWhatsAppChannel(deps: WhatsAppChannelDeps): Channel {
  const log = deps.logger.child({ channel: 'whatsapp' });

  const windowOpen = (phone: string): boolean => {
    const last = deps.windows.lastInboundAt(phone);
    return last !== undefined && deps.clock.now() - last < WINDOW_MS - deps.windowMarginMs;
  };

  async function sendTemplate(n: Notification, signal: AbortSignal): Promise<SendResult> {
    if (n.purpose === 'reply') {
      // Replies have no template: outside the window they cannot be sent at all.
      return {
        ok: false,
        retryable: false,
        code: 'outside-window',
        message: 'reply outside the 24-hour window',
      };
    }
    const spec = deps.catalog.forPurpose(n.purpose, n.language);
    if (!spec) {
      return {
        ok: false,
        retryable: false,
        code: 'no-template',
        message: `no template for purpose ${n.purpose} in ${n.language}; add it to the template file`,
      };
    }
    const result = await call(templateMessage(n, spec), signal);
    // The digest's last parameter is free text and carries folded notes; other templates cannot.
    return result.ok && n.purpose !== 'digest' ? { ...result, fixedWording: true } : result;
  }

  async function call(body: Record<string, unknown>, signal: AbortSignal): Promise<SendResult> {
    try {
      const sent = await deps.client.sendMessage(body, signal);
      return { ok: true, providerMessageId: sent.wamid };
    } catch (err) {
      return toResult(err);
    }
  }

  return {
    name: 'whatsapp',
    limits: {
      ratePerSecond: deps.sendRatePerSecond,
      recipientIntervalMs: deps.pairRateSeconds * 1000,
    },
    async send(n, signal) {
      if (!windowOpen(n.phone)) return sendTemplate(n, signal);
      const result = await call(sessionMessage(n), signal);
      if (!result.ok && result.code === '131047') {
        // Meta's "known issue": the window can be closed although we saw a message; use the template.
        deps.windows.closeWindow(n.phone);
        return sendTemplate(n, signal);
      }
      if (result.ok && n.location) {
        // A best-effort extra: the alert itself is delivered, a lost pin is not worth a resend.
        const pin = await call(locationMessage(n, n.location), signal);
        if (!pin.ok) log.warn({ notificationId: n.id, code: pin.code }, 'location pin not sent');
      }
      return result;
    },
  };
}

/** Maps a thrown Graph error to the outbox's terms; the code decides, the HTTP status never does. */
export function toResult(err: unknown): SendResult {
  if (err instanceof GraphApiError) {
    const c = classifyGraphError(err.code, err.isTransient);
    const message = `${err.message}${err.details ? `: ${err.details}` : ''}`;
    const result: SendResult = { ok: false, retryable: c.retryable, code: String(err.code), message };
    if (c.minDelayMs !== undefined) result.retryAfterMs = c.minDelayMs;
    if (c.scope === 'channel') result.channelDown = true;
    return result;
  }
  if (err instanceof GraphNetworkError) {
    return { ok: false, retryable: true, code: err.kind, message: err.message, uncertain: err.uncertain };
  }
  return { ok: false, retryable: true, code: 'network', message: String(err), uncertain: true };
}
