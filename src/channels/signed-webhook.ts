/**
 * The signed webhook channel: POSTs each message as JSON to a URL, with an HMAC-SHA256 of the exact
 * body in `X-Cowbell-Signature-256: sha256=<hex>` and the notification id in `X-Cowbell-Delivery`
 * (receivers de-duplicate on it: delivery is at least once). 2xx is success; 408, 425, 429, 5xx
 * and network errors are retried (honouring Retry-After); other statuses are refused for good.
 */
import type { Notification } from '../alerts/notification.js';
import type { Channel, SendResult } from './channel.js';
import { signPayload } from './whatsapp/signature.js';

export interface SignedWebhookOptions {
  url: string;
  secret: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export const SIGNATURE_HEADER = 'x-cowbell-signature-256';

/** The JSON a receiver gets: the notification, versioned. */
export function webhookBody(n: Notification): string {
  return JSON.stringify({ version: 1, type: 'cowbell.notification', notification: n });
}

export function createSignedWebhookChannel(options: SignedWebhookOptions): Channel {
  const doFetch = options.fetch ?? fetch;
  return {
    name: 'webhook',
    async send(n, signal): Promise<SendResult> {
      const body = webhookBody(n);
      const timeout = AbortSignal.timeout(options.timeoutMs);
      let response: Response;
      try {
        response = await doFetch(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [SIGNATURE_HEADER]: signPayload(body, options.secret),
            'x-cowbell-delivery': n.id,
          },
          body,
          signal: AbortSignal.any([signal, timeout]),
        });
        await response.arrayBuffer();
      } catch (err) {
        const code = timeout.aborted ? 'timeout' : 'network';
        return {
          ok: false,
          retryable: true,
          uncertain: true,
          code,
          message: `webhook POST failed (${String(err)})`,
        };
      }
      if (response.ok) return { ok: true };
      const status = response.status;
      const retryable = status === 408 || status === 425 || status === 429 || status >= 500;
      const result: SendResult = {
        ok: false,
        retryable,
        code: `http-${status}`,
        message: `webhook answered ${status}`,
      };
      const after = retryAfterMs(response.headers.get('retry-after'));
      if (after !== undefined) result.retryAfterMs = after;
      return result;
    },
  };
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
