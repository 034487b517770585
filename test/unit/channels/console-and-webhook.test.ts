import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Notification } from '../../../src/alerts/notification.js';
import { createConsoleChannel } from '../../../src/channels/console.js';
import {
  createSignedWebhookChannel,
  SIGNATURE_HEADER,
  webhookBody,
} from '../../../src/channels/signed-webhook.js';
import { signPayload } from '../../../src/channels/whatsapp/signature.js';

const n: Notification = {
  id: 'n1',
  farmId: 'green-valley',
  contactId: 'ravi',
  phone: '+919812345678',
  language: 'en',
  purpose: 'alert',
  severity: 'critical',
  alertIds: ['a1'],
  kinds: ['fever'],
  text: 'Lakshmi (1042) has a fever.\nCheck her.',
  templateParams: [],
  buttons: [{ id: 'ack:a1', title: 'Acknowledge' }],
  createdAt: Date.UTC(2026, 10, 25, 5, 10),
};

describe('the console channel', () => {
  it('prints one line with severity, farm, contact, masked phone, text and buttons', async () => {
    const lines: string[] = [];
    const channel = createConsoleChannel({ write: (l) => lines.push(l) });
    expect(await channel.send(n, new AbortController().signal)).toEqual({ ok: true });
    expect(lines).toEqual([
      '2026-11-25T05:10:00.000Z !! green-valley -> ravi (***5678) alert: Lakshmi (1042) has a fever. / Check her.  [Acknowledge]',
    ]);
  });
});

describe('the signed webhook channel', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    if (server) await new Promise<void>((r) => server?.close(() => r()));
  });

  async function receiver(status: number, headers: Record<string, string> = {}) {
    const seen: { signature: string | undefined; delivery: string | undefined; body: string }[] = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        seen.push({
          signature: req.headers[SIGNATURE_HEADER] as string | undefined,
          delivery: req.headers['x-cowbell-delivery'] as string | undefined,
          body,
        });
        res.writeHead(status, headers).end();
      });
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    return { seen, channel: createSignedWebhookChannel({ url, secret: 's3cret', timeoutMs: 2000 }) };
  }

  it('posts the notification as JSON with an HMAC of the exact body and the delivery id', async () => {
    const { seen, channel } = await receiver(204);
    expect((await channel.send(n, new AbortController().signal)).ok).toBe(true);
    expect(seen[0]?.body).toBe(webhookBody(n));
    expect(seen[0]?.signature).toBe(signPayload(webhookBody(n), 's3cret'));
    expect(seen[0]?.delivery).toBe('n1');
  });

  it('retries 429 and 5xx (honouring Retry-After) and gives up on other 4xx', async () => {
    const busy = await receiver(429, { 'retry-after': '7' });
    expect(await busy.channel.send(n, new AbortController().signal)).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterMs: 7000,
      code: 'http-429',
    });
    server?.closeAllConnections();
    await new Promise<void>((r) => server?.close(() => r()));
    const refused = await receiver(400);
    expect(await refused.channel.send(n, new AbortController().signal)).toMatchObject({
      ok: false,
      retryable: false,
      code: 'http-400',
    });
  });
});
