/**
 * Sends signed webhooks the way Meta does: the body escaped (non-ASCII as \uXXXX, "/" as "\/"),
 * the HMAC-SHA256 of exactly those bytes in X-Hub-Signature-256, and retries with growing delays
 * until the receiver answers 200.
 */
import { signPayload } from '../channels/whatsapp/signature.js';

export interface WebhookDelivery {
  at: number;
  body: string;
  status: number | 'error';
  attempt: number;
}

export interface WebhookSender {
  /** Sends one envelope; resolves with the first attempt's status (retries continue in the background). */
  send(envelope: unknown): Promise<number | 'error'>;
  /** Posts exact bytes with the given signature header (null: none), once, no retry. */
  postRaw(body: string, signature: string | null): Promise<number | 'error'>;
  deliveries: WebhookDelivery[];
  /** Resolves when no delivery or retry is pending. */
  idle(): Promise<void>;
  /** Points the webhooks at a daemon started after the sandbox (its port is known only then). */
  setUrl(url: string): void;
  close(): void;
}

/** Meta's escaping: non-ASCII as lowercase \uXXXX UTF-16 units and "/" as "\/". */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function createWebhookSender(
  initialUrl: string | undefined,
  appSecret: string,
  retryDelaysMs: readonly number[] = [200, 1_000, 5_000, 20_000, 60_000],
): WebhookSender {
  const deliveries: WebhookDelivery[] = [];
  const pending = new Set<Promise<unknown>>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  let url = initialUrl;

  async function post(body: string, signature: string | null, attempt: number): Promise<number | 'error'> {
    if (!url) return 'error';
    let status: number | 'error';
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (signature !== null) headers['x-hub-signature-256'] = signature;
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      status = res.status;
    } catch {
      status = 'error';
    }
    deliveries.push({ at: Date.now(), body, status, attempt });
    return status;
  }

  function track<T>(p: Promise<T>): Promise<T> {
    pending.add(p);
    void p.finally(() => pending.delete(p));
    return p;
  }

  function deliver(body: string, attempt: number): Promise<number | 'error'> {
    return track(
      post(body, signPayload(body, appSecret), attempt).then((status) => {
        const delay = retryDelaysMs[attempt - 1];
        if (status !== 200 && delay !== undefined && !closed && url) {
          let release: () => void = () => {};
          track(new Promise<void>((r) => (release = r)));
          const timer = setTimeout(() => {
            timers.delete(timer);
            void deliver(body, attempt + 1).finally(release);
          }, delay);
          timer.unref();
          timers.add(timer);
        }
        return status;
      }),
    );
  }

  return {
    deliveries,
    send: (envelope) => deliver(metaJson(envelope), 1),
    postRaw: (body, signature) => track(post(body, signature, 1)),
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    setUrl(next) {
      url = next;
    },
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      pending.clear();
    },
  };
}
