/**
 * The Channel contract, one suite every delivery channel passes: a stable name, delivery of a valid
 * notification observable at the receiving end, and failures as results (never exceptions) with
 * unreachable endpoints classified as retryable.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from '../../src/alerts/notification.js';
import type { Channel } from '../../src/channels/channel.js';
import { createConsoleChannel } from '../../src/channels/console.js';
import { createSignedWebhookChannel, SIGNATURE_HEADER } from '../../src/channels/signed-webhook.js';
import { createWhatsAppChannel } from '../../src/channels/whatsapp/channel.js';
import { createGraphClient } from '../../src/channels/whatsapp/graph-client.js';
import { verifySignature } from '../../src/channels/whatsapp/signature.js';
import { systemClock } from '../../src/clock.js';
import { readBody } from '../../src/http/route.js';
import { createLogger } from '../../src/observability/logger.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.js';
import { catalog, notification, SECRETS } from '../support/fake-graph-api.js';

interface Subject {
  channel: Channel;
  /** What the receiving end got, one entry per delivered message. */
  received(): string[];
  /** The same channel pointed at a closed port. */
  unreachable?: Channel;
  close(): Promise<void>;
}

const DEAD_URL = 'http://127.0.0.1:9';

function channelContract(label: string, make: () => Promise<Subject>): void {
  describe(`${label} channel contract`, () => {
    let s: Subject;
    beforeAll(async () => {
      s = await make();
    });
    afterAll(async () => {
      await s.close();
    });

    it('has a stable, non-empty name', () => {
      expect(s.channel.name).toMatch(/^[a-z][a-z0-9-]*$/);
    });

    it('delivers a notification and says so', async () => {
      const before = s.received().length;
      const n = notification({ id: `contract-${label}-1`, phone: '+27821234567' });
      const result = await s.channel.send(n, new AbortController().signal);
      expect(result.ok).toBe(true);
      expect(s.received().length).toBe(before + 1);
      expect(s.received().at(-1)).toContain(label === 'console' ? 'Lakshmi' : n.id);
    });

    it('answers an unreachable endpoint with a retryable failure, not an exception', async () => {
      if (!s.unreachable) return;
      const n = notification({ id: `contract-${label}-2`, phone: '+27821234567' });
      const result = await s.unreachable.send(n, new AbortController().signal);
      expect(result).toMatchObject({ ok: false, retryable: true });
    });

    it('returns a result when the call is aborted', async () => {
      const abort = new AbortController();
      abort.abort();
      const n = notification({ id: `contract-${label}-3`, phone: '+27821234567' });
      const result = await s.channel.send(n, abort.signal);
      expect(typeof result.ok).toBe('boolean');
    });
  });
}

channelContract('console', async () => {
  const lines: string[] = [];
  const channel = createConsoleChannel({ write: (l) => lines.push(l), formatTime: () => '05:10' });
  return {
    channel,
    received: () => lines,
    close: async () => {},
  };
});

channelContract('webhook', async () => {
  const got: string[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req, 1 << 20).then((raw) => {
      if (!verifySignature(raw, req.headers[SIGNATURE_HEADER], 'hook-secret')) {
        res.writeHead(401).end();
        return;
      }
      got.push((JSON.parse(raw.toString()) as { notification: Notification }).notification.id);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    channel: createSignedWebhookChannel({ url, secret: 'hook-secret', timeoutMs: 2000 }),
    unreachable: createSignedWebhookChannel({ url: DEAD_URL, secret: 'hook-secret', timeoutMs: 2000 }),
    received: () => got,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
});

channelContract('whatsapp', async () => {
  const sandbox: Sandbox = await startSandbox({ ...SECRETS, templates: catalog, pairRateSeconds: 0 });
  const make = (baseUrl: string) =>
    createWhatsAppChannel({
      client: createGraphClient({ ...SECRETS, baseUrl, apiVersion: 'v25.0', timeoutMs: 2000 }),
      catalog,
      windows: { lastInboundAt: () => undefined, closeWindow: () => {} },
      clock: systemClock,
      logger: createLogger({ level: 'silent' }),
      windowMarginMs: 0,
      sendRatePerSecond: 80,
      pairRateSeconds: 0,
    });
  return {
    channel: make(sandbox.url),
    unreachable: make(DEAD_URL),
    received: () => sandbox.messages('+27821234567').flatMap((m) => (m.callbackData ? [m.callbackData] : [])),
    close: () => sandbox.close(),
  };
});
