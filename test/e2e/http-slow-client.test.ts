/**
 * A client trickling its request a byte at a time is cut off (408 and closed) instead of holding a
 * connection open for minutes: proven on the daemon's WhatsApp webhook with a raw TCP socket. The
 * daemon runs with shortened time limits so the test is quick; the defaults are HTTP_TIMEOUTS.
 */
import { connect, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { GREEN_ACRES_YAML, makeTempConfig } from '../support/config-dir.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const DAEMON = `version: 1
broker: { embedded: { host: 127.0.0.1, port: 0 } }
http: { host: 127.0.0.1, port: 0 }
logging: { level: silent }
channels:
  whatsapp:
    baseUrl: http://127.0.0.1:9
    phoneNumberId: "1234567890"
    accessToken: test-access-token
    appSecret: test-app-secret
    verifyToken: test-verify-token
    templatesFile: ${resolve('config/whatsapp-templates.json')}
`;

async function startDaemon(): Promise<App> {
  const config = makeTempConfig({ 'green-acres.yaml': GREEN_ACRES_YAML }, DAEMON);
  cleanups.push(() => config.remove());
  const app = await createApp({
    configDir: config.dir,
    dbPath: config.dbPath,
    watchConfig: false,
    httpTimeouts: { headersMs: 1_000, requestMs: 2_000, checkEveryMs: 200 },
  });
  await app.start();
  cleanups.push(() => app.stop());
  return app;
}

/**
 * Sends `head` at once, then `trickle` one byte every 100 ms until the server closes the socket or
 * the bytes run out; returns what the server answered and how many trickled bytes it took.
 */
async function trickle(app: App, head: string, trickle: string): Promise<{ answer: string; sent: number }> {
  const { port } = new URL(app.addresses().http);
  const socket: Socket = connect(Number(port), '127.0.0.1');
  cleanups.push(() => void socket.destroy());
  let answer = '';
  let closed = false;
  socket.on('data', (d) => {
    answer += d.toString();
  });
  socket.on('error', () => {});
  const done = new Promise<void>((r) => socket.once('close', () => r()));
  socket.once('close', () => {
    closed = true;
  });
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.write(head);
  let sent = 0;
  for (; sent < trickle.length && !closed; sent++) {
    socket.write(trickle[sent] as string);
    await new Promise((r) => setTimeout(r, 100));
  }
  await done;
  return { answer, sent };
}

describe('slow HTTP clients', () => {
  it('cuts off a webhook POST whose body trickles in a byte at a time', async () => {
    const app = await startDaemon();
    const body = 'x'.repeat(600); // 60 s at 10 bytes/s: far past the request limit
    const { answer, sent } = await trickle(
      app,
      `POST /webhooks/whatsapp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      body,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(sent).toBeLessThan(body.length);
    // The daemon still serves everyone else.
    expect((await fetch(`${app.addresses().http}/healthz`)).status).toBe(200);
  });

  it('cuts off a request whose headers trickle in', async () => {
    const app = await startDaemon();
    const headers = `Host: x\r\nX-Padding: ${'y'.repeat(600)}\r\n\r\n`;
    const { answer, sent } = await trickle(app, 'POST /webhooks/whatsapp HTTP/1.1\r\n', headers);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(sent).toBeLessThan(headers.length);
  });
});
