/**
 * Hostile and broken clients against the real daemon (embedded aedes on 127.0.0.1, real SQLite):
 * raw sockets announcing huge packets before CONNECT, oversize publishes, made-up retained status
 * messages, password guessing, 65,000-character topics, MQTT 5 collars. The daemon must stay up,
 * refuse each one with a count and a bounded, truncated log line, and keep serving real collars.
 * No timings are asserted: the limits here are sizes, counts and "closed", not speed.
 */
import { connect, type Socket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { MQTT5_REFUSED } from '../../src/broker/embedded.js';
import type { AdmittedReading } from '../../src/telemetry/ingest.js';
import { makeTempConfig } from '../support/config-dir.js';
import { metricValue, waitFor } from '../support/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function daemonYaml(limits = 'connectTimeoutS: 2', anonymous = false): string {
  return `version: 1
broker:
  embedded:
    host: 127.0.0.1
    port: 0
    allowAnonymous: ${anonymous}
    limits: { ${limits} }
http: { host: 127.0.0.1, port: 0 }
logging: { level: warn }
`;
}

interface Daemon {
  app: App;
  seen: AdmittedReading[];
  /** Every log line the daemon wrote, parsed. */
  logs: Record<string, unknown>[];
  logBytes(): number;
  metric(name: string, labels?: string): Promise<number>;
}

async function startDaemon(yaml = daemonYaml()): Promise<Daemon> {
  const config = makeTempConfig(undefined, yaml);
  cleanups.push(() => config.remove());
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
  const seen: AdmittedReading[] = [];
  const app = await createApp({
    configDir: config.dir,
    dbPath: config.dbPath,
    watchConfig: false,
    logger,
    readingSteps: [(batch) => seen.push(...batch)],
  });
  await app.start();
  cleanups.push(() => app.stop());
  return {
    app,
    seen,
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    logBytes: () => lines.reduce((n, l) => n + l.length, 0),
    metric: async (name, labels = '') =>
      metricValue(await (await fetch(`${app.addresses().http}/metrics`)).text(), name, labels),
  };
}

const port = (app: App) => Number(new URL(app.addresses().mqtt).port);

async function collar(app: App, extra: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(app.addresses().mqtt, {
    username: 'green-acres',
    password: 'green-secret',
    reconnectPeriod: 0,
    connectTimeout: 5_000,
    ...extra,
  });
  cleanups.push(() => client.endAsync(true));
  return client;
}

const reading = (seq: number) =>
  JSON.stringify({ v: 1, collarId: 'C-0042', ts: Date.now() - 60_000, seq, intervalS: 60, activity: 10 });
const TELEMETRY = 'farms/green-acres/collars/C-0042/telemetry';

/** Opens a raw TCP socket, sends `bytes` (ignoring write errors once closed) and resolves when it closes. */
async function rawSocket(app: App, bytes: Buffer): Promise<Socket> {
  const socket = connect(port(app), '127.0.0.1');
  cleanups.push(() => void socket.destroy());
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(bytes);
  return socket;
}
const closed = (socket: Socket) =>
  socket.closed ? Promise.resolve() : new Promise<void>((resolve) => socket.once('close', () => resolve()));

describe('hostile input on the embedded broker', () => {
  it('closes 8 sockets announcing huge packets before CONNECT and keeps serving a real collar', async () => {
    const d = await startDaemon();
    // CONNECT (0x10) announcing the largest MQTT remaining length (256 MB), then 1 MB of it.
    const announce = Buffer.concat([
      Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]),
      Buffer.alloc(1024 * 1024, 1),
    ]);
    const sockets = await Promise.all(Array.from({ length: 8 }, () => rawSocket(d.app, announce)));
    await Promise.all(sockets.map(closed));
    // A socket whose first packet is not a CONNECT, and one that never sends anything (connect timeout).
    const publishFirst = await rawSocket(d.app, Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]));
    const silent = await rawSocket(d.app, Buffer.alloc(0));
    await Promise.all([closed(publishFirst), closed(silent)]);

    const c = await collar(d.app);
    await c.publishAsync(TELEMETRY, reading(1), { qos: 1 });
    expect(d.seen.map((r) => r.reading.seq)).toEqual([1]);
    expect(await d.metric('cowbell_broker_auth_failures_total', 'reason="connect-too-large"')).toBe(8);
    expect(await d.metric('cowbell_broker_auth_failures_total', 'reason="bad-packet"')).toBe(1);
    await waitFor(
      async () => (await d.metric('cowbell_broker_auth_failures_total', 'reason="connect-timeout"')) === 1,
      10_000,
      'the silent socket counted as a connect timeout',
    );
    // Nine refusals, one log line per kind (the rest folded into it).
    const packetLines = d.logs.filter((l) => String(l.msg).startsWith('MQTT connection closed'));
    expect(packetLines.length).toBeLessThanOrEqual(4);
  });

  it('closes connections past the per-address limit at once, and lets a collar in once one closes', async () => {
    const d = await startDaemon(daemonYaml('maxConnectionsPerAddress: 3'));
    const held = await Promise.all([1, 2, 3].map(() => rawSocket(d.app, Buffer.alloc(0))));
    const fourth = await rawSocket(d.app, Buffer.alloc(0));
    await closed(fourth);
    expect(held.every((s) => !s.closed)).toBe(true);
    expect(await d.metric('cowbell_broker_auth_failures_total', 'reason="too-many-connections"')).toBe(1);
    held[0]?.destroy();
    // The server notices the close a moment later; until then a collar is refused like the fourth.
    const admitted = () =>
      new Promise<boolean>((resolve) => {
        const c = mqtt.connect(d.app.addresses().mqtt, {
          username: 'green-acres',
          password: 'green-secret',
          reconnectPeriod: 0,
        });
        c.once('connect', () => {
          resolve(true);
          c.end(true);
        });
        c.once('close', () => resolve(false));
      });
    await waitFor(admitted, 5_000, 'a collar admitted after a held connection closed');
  });

  it('closes a collar sending a packet over the limit, and dead-letters an accepted one over 64 KiB with its first 4 KiB', async () => {
    const d = await startDaemon();
    const c = await collar(d.app);
    // 100 KiB: within the broker's packet limit, over the protocol's 64 KiB: dead-lettered.
    await c.publishAsync(TELEMETRY, Buffer.alloc(100 * 1024, 'x'), { qos: 1 });
    const letter = d.app.db
      .prepare('SELECT reason, length(payload) AS kept, payload_bytes FROM dead_letters')
      .get();
    expect(letter).toEqual({ reason: 'too-large', kept: 4096, payload_bytes: 100 * 1024 });
    // A 500-reading batch (each reading with the protocol's required fields) passes.
    const t0 = Date.now() - 600 * 60_000;
    const readings = Array.from({ length: 500 }, (_, i) => ({
      ts: t0 + i * 60_000,
      seq: 10 + i,
      intervalS: 60,
      activity: 5,
    }));
    await c.publishAsync(TELEMETRY, JSON.stringify({ v: 1, collarId: 'C-0042', readings }), { qos: 1 });
    expect(d.seen).toHaveLength(500);

    const gone = new Promise<void>((resolve) => c.once('close', () => resolve()));
    c.publish(TELEMETRY, Buffer.alloc(300 * 1024, 'x'), { qos: 1 });
    await gone;
    expect(await d.metric('cowbell_broker_auth_failures_total', 'reason="packet-too-large"')).toBe(1);
    expect(d.seen).toHaveLength(500);
  });

  it('keeps retained status only for known collars and only "online" or "offline"', async () => {
    const d = await startDaemon(daemonYaml(undefined, true));
    const status = (collarId: string) => `farms/green-acres/collars/${collarId}/status`;
    const sendAndWaitClose = async (topic: string, payload: string | Buffer) => {
      const c = await collar(d.app);
      const gone = new Promise<void>((resolve) => c.once('close', () => resolve()));
      c.publish(topic, payload, { qos: 1, retain: true });
      await gone;
    };
    await sendAndWaitClose(status('MADE-UP'), 'online');
    await sendAndWaitClose(status('C-0042'), Buffer.alloc(100 * 1024, 'x'));
    const good = await collar(d.app);
    await good.publishAsync(status('C-0043'), 'online', { qos: 1, retain: true });
    expect(await d.metric('cowbell_broker_auth_failures_total', 'reason="status-refused"')).toBe(2);

    // What the broker retained: only the known collar's presence.
    const observer = await mqtt.connectAsync(d.app.addresses().mqtt, { reconnectPeriod: 0 });
    cleanups.push(() => observer.endAsync(true));
    const retained: string[] = [];
    observer.on('message', (topic, payload) => retained.push(`${topic}=${payload.length}`));
    await observer.subscribeAsync('farms/+/collars/+/status', { qos: 1 });
    await waitFor(() => retained.length >= 1, 5_000, 'the retained status');
    await observer.publishAsync('farms/green-acres/collars/C-0043/telemetry', reading(1), { qos: 1 });
    expect(retained).toEqual([`${status('C-0043')}=6`]);
  });

  it('throttles password guessing per address: past the limit, refused without a password check and logged at a bounded rate', async () => {
    const d = await startDaemon(daemonYaml('loginFailuresPerMinute: 5, loginBlockS: 300'));
    const tries: string[] = [];
    for (let i = 0; i < 20; i++) {
      const attempt = mqtt.connectAsync(d.app.addresses().mqtt, {
        username: 'green-acres',
        password: `guess-${i}`,
        reconnectPeriod: 0,
        connectTimeout: 5_000,
      });
      tries.push(
        await attempt.then(
          () => 'connected',
          (err: Error) => err.message,
        ),
      );
    }
    expect(tries.slice(0, 5).every((m) => /Bad username or password/i.test(m))).toBe(true);
    expect(tries.slice(5).every((m) => /Not authorized/i.test(m))).toBe(true);
    // The right password is refused too while the address is blocked.
    await expect(collar(d.app)).rejects.toThrow(/Not authorized/i);
    expect(await d.metric('cowbell_broker_auth_failures_total', 'reason="bad-credentials"')).toBe(5);
    expect(await d.metric('cowbell_broker_auth_failures_total', 'reason="login-throttled"')).toBe(16);
    // 21 refusals: one line per kind per 10 s (bad password, throttled, block started), the rest folded.
    const refusals = d.logs.filter((l) => /refused|blocked/.test(String(l.msg)));
    expect(refusals.length).toBeLessThanOrEqual(6);
  });

  it('logs a refused 65,000-character topic truncated, and many of them in a few short lines', async () => {
    const d = await startDaemon();
    const topic = `farms/green-acres/collars/${'x'.repeat(65_000)}/telemetry`;
    for (let i = 0; i < 20; i++) {
      const c = await collar(d.app);
      const gone = new Promise<void>((resolve) => c.once('close', () => resolve()));
      c.publish(topic, reading(1), { qos: 1 });
      await gone;
    }
    expect(await d.metric('cowbell_broker_auth_failures_total', 'reason="publish-denied"')).toBe(20);
    const lines = d.logs.filter((l) => l.msg === 'publish refused by ACL');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(String(lines[0]?.topic)).toMatch(/\.\.\. \(65036 characters\)$/);
    expect(d.logBytes()).toBeLessThan(4_000);
  });

  it('refuses an MQTT 5 collar with CONNACK 1 and a log line that says what to do', async () => {
    const d = await startDaemon();
    await expect(collar(d.app, { protocolVersion: 5 })).rejects.toThrow(/Unacceptable protocol version/i);
    expect(d.logs.map((l) => l.msg)).toContain(MQTT5_REFUSED);
    expect(await d.metric('cowbell_broker_auth_failures_total', 'reason="mqtt5"')).toBe(1);
    // The same collar on MQTT 3.1.1 gets in.
    const c = await collar(d.app, { protocolVersion: 4 });
    await c.publishAsync(TELEMETRY, reading(1), { qos: 1 });
    expect(d.seen).toHaveLength(1);
  });
});
