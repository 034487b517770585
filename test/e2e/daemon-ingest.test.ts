/**
 * The daemon end to end, as a collar sees it: the real daemon (createApp) on port 0 with a temp
 * config and SQLite file, its embedded aedes broker, and a real mqtt.js client acting as a collar.
 * Proves: valid readings and batches reach the pipeline in event-time order, duplicates are dropped,
 * every kind of bad input is counted, logged and dead-lettered without disturbing other collars,
 * and a restart on the same database keeps what was stored.
 *
 * Cast: collar = mqtt.js client with the farm's credentials; app = the daemon; probe = a reading
 * step that records what reached the pipeline.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, type AppOptions, createApp } from '../../src/app.js';
import type { AdmittedReading } from '../../src/telemetry/ingest.js';
import { makeTempConfig, type TempConfig } from '../support/config-dir.js';
import { metricValue, waitFor } from '../support/wait.js';

const TOPIC = 'farms/green-acres/collars/C-0042/telemetry';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function startDaemon(
  config: TempConfig,
  seen: AdmittedReading[],
  options: Partial<AppOptions> = {},
): Promise<App> {
  const app = await createApp({
    configDir: config.dir,
    dbPath: config.dbPath,
    ports: { mqtt: 0, http: 0 },
    watchConfig: false,
    readingSteps: [(batch) => seen.push(...batch)],
    ...options,
  });
  await app.start();
  cleanups.push(() => app.stop());
  return app;
}

async function connectCollar(
  app: App,
  username = 'green-acres',
  password = 'green-secret',
): Promise<MqttClient> {
  const client = await mqtt.connectAsync(app.addresses().mqtt, {
    username,
    password,
    reconnectPeriod: 0,
    clientId: `collar-${Math.random().toString(16).slice(2)}`,
  });
  cleanups.push(() => client.endAsync(true));
  return client;
}

function reading(seq: number, ts: number | string, extra: Record<string, unknown> = {}) {
  return {
    v: 1,
    collarId: 'C-0042',
    ts,
    seq,
    intervalS: 300,
    activity: 300 + seq,
    temperatureC: 38.6,
    ...extra,
  };
}

async function metrics(app: App): Promise<string> {
  const res = await fetch(`${app.addresses().http}/metrics`);
  return res.text();
}

describe('daemon ingest over the embedded broker', () => {
  it('accepts readings and batches in event-time order, drops duplicates, dead-letters bad input', async () => {
    const config = makeTempConfig();
    cleanups.push(() => config.remove());
    const seen: AdmittedReading[] = [];
    const app = await startDaemon(config, seen);
    const collar = await connectCollar(app);
    const t0 = Date.now() - 60 * 60_000;

    // A single reading, then a batch delivered late and out of seq order in the array.
    await collar.publishAsync(TOPIC, JSON.stringify(reading(1, t0)), { qos: 1 });
    const batch = {
      v: 1,
      collarId: 'C-0042',
      readings: [4, 2, 3].map((seq) => {
        const { v: _v, collarId: _c, ...rest } = reading(seq, t0 + seq * 300_000);
        return rest;
      }),
    };
    await collar.publishAsync(TOPIC, JSON.stringify(batch), { qos: 1 });
    // QoS 0 works too, and an RFC 3339 timestamp with an offset.
    await collar.publishAsync(TOPIC, JSON.stringify(reading(5, t0 + 5 * 300_000)), { qos: 0 });
    // Duplicates: the same (collar, seq, ts) again, alone and inside a batch.
    await collar.publishAsync(TOPIC, JSON.stringify(reading(1, t0)), { qos: 1 });

    const bad: [string, string | Buffer, string][] = [
      ['not-json', '{"v":1,', TOPIC],
      ['not-object', '[1,2,3]', TOPIC],
      ['too-large', Buffer.alloc(70 * 1024, 0x20), TOPIC],
      ['invalid', JSON.stringify(reading(10, t0, { activity: 'high' })), TOPIC],
      ['invalid', '{"v":1,"collarId":"C-0042","ts":1,"seq":1,"intervalS":300,"activity":1e999}', TOPIC],
      ['invalid', JSON.stringify(reading(11, t0, { temperatureC: 51 })), TOPIC],
      ['invalid', JSON.stringify(reading(12, t0, { ruminationMin: 9 })), TOPIC],
      ['collar-mismatch', JSON.stringify(reading(13, t0, { collarId: 'C-0043' })), TOPIC],
      [
        'unknown-collar',
        JSON.stringify({ ...reading(14, t0), collarId: 'C-9999' }),
        'farms/green-acres/collars/C-9999/telemetry',
      ],
      ['future', JSON.stringify(reading(15, Date.now() + 60 * 60_000)), TOPIC],
      ['too-old', JSON.stringify(reading(16, Date.now() - 30 * 86_400_000)), TOPIC],
    ];
    for (const [, payload, topic] of bad) await collar.publishAsync(topic, payload, { qos: 1 });
    // The collar is still served after all that.
    await collar.publishAsync(TOPIC, JSON.stringify(reading(6, new Date(t0 + 6 * 300_000).toISOString())), {
      qos: 1,
    });

    expect(seen.map((r) => r.reading.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seen.every((r) => r.reading.cowId === 'daisy' && r.reading.farmId === 'green-acres')).toBe(true);
    expect(seen.every((r) => !r.late)).toBe(true);

    const text = await metrics(app);
    expect(metricValue(text, 'cowbell_readings_accepted_total')).toBe(6);
    expect(metricValue(text, 'cowbell_readings_duplicate_total')).toBe(1);
    for (const reason of [
      'not-json',
      'not-object',
      'too-large',
      'collar-mismatch',
      'unknown-collar',
      'future',
      'too-old',
    ]) {
      expect(metricValue(text, 'cowbell_readings_rejected_total', `reason="${reason}"`), reason).toBe(1);
    }
    expect(metricValue(text, 'cowbell_readings_rejected_total', 'reason="invalid"')).toBe(4);

    const letters = app.db.prepare('SELECT reason, detail, payload FROM dead_letters ORDER BY id').all() as {
      reason: string;
      detail: string;
      payload: Buffer;
    }[];
    expect(letters.map((l) => l.reason)).toEqual(bad.map(([reason]) => reason));
    expect(letters[0]?.payload.toString()).toBe('{"v":1,');
    expect(letters.find((l) => l.detail.includes('temperatureC'))?.detail).toMatch(/temperatureC: .*45/);
  });

  it('marks a reading older than the collar’s latest as late, still handing it over once', async () => {
    const config = makeTempConfig();
    cleanups.push(() => config.remove());
    const seen: AdmittedReading[] = [];
    const app = await startDaemon(config, seen);
    const collar = await connectCollar(app);
    const t0 = Date.now() - 60 * 60_000;
    await collar.publishAsync(TOPIC, JSON.stringify(reading(10, t0 + 600_000)), { qos: 1 });
    await collar.publishAsync(TOPIC, JSON.stringify(reading(9, t0)), { qos: 1 });
    expect(seen.map((r) => [r.reading.seq, r.late])).toEqual([
      [10, false],
      [9, true],
    ]);
  });

  it('keeps dead letters, duplicate keys and collar cursors across a restart on the same database', async () => {
    const config = makeTempConfig();
    cleanups.push(() => config.remove());
    const t0 = Date.now() - 60 * 60_000;
    const firstRun: AdmittedReading[] = [];
    const app1 = await startDaemon(config, firstRun);
    const collar1 = await connectCollar(app1);
    await collar1.publishAsync(TOPIC, JSON.stringify(reading(1, t0)), { qos: 1 });
    await collar1.publishAsync(TOPIC, 'garbage', { qos: 1 });
    await collar1.endAsync();
    await app1.stop();

    const secondRun: AdmittedReading[] = [];
    const app2 = await startDaemon(config, secondRun);
    const collar2 = await connectCollar(app2);
    // The broker redelivers what it had not acknowledged: the daemon must recognise it.
    await collar2.publishAsync(TOPIC, JSON.stringify(reading(1, t0)), { qos: 1 });
    await collar2.publishAsync(TOPIC, JSON.stringify(reading(2, t0 + 300_000)), { qos: 1 });
    expect(secondRun.map((r) => r.reading.seq)).toEqual([2]);
    const text = await metrics(app2);
    expect(metricValue(text, 'cowbell_readings_duplicate_total')).toBe(1);
    const letters = app2.db.prepare('SELECT reason FROM dead_letters').all();
    expect(letters).toEqual([{ reason: 'not-json' }]);
  });

  it('isolates a message that breaks the pipeline: dead-lettered, while other collars are stored', async () => {
    const config = makeTempConfig();
    cleanups.push(() => config.remove());
    const seen: AdmittedReading[] = [];
    const app = await createApp({
      configDir: config.dir,
      dbPath: config.dbPath,
      watchConfig: false,
      readingSteps: [
        (batch) => {
          // Stands in for a bug triggered by one collar's data.
          if (batch.some((r) => r.reading.collarId === 'C-0043')) throw new Error('detector bug on C-0043');
          seen.push(...batch);
        },
      ],
    });
    await app.start();
    cleanups.push(() => app.stop());
    const collar = await connectCollar(app);
    const t0 = Date.now() - 60 * 60_000;
    const bella = { ...reading(1, t0), collarId: 'C-0043' };
    // Both in one burst, so they share a group commit; an out-of-range ts goes with them.
    await Promise.all([
      collar.publishAsync('farms/green-acres/collars/C-0043/telemetry', JSON.stringify(bella), { qos: 1 }),
      collar.publishAsync(TOPIC, JSON.stringify(reading(1, t0)), { qos: 1 }),
      collar.publishAsync(TOPIC, JSON.stringify(reading(2, 9e15)), { qos: 1 }),
      collar.publishAsync(TOPIC, JSON.stringify(reading(3, t0 + 60_000)), { qos: 1 }),
    ]);
    expect(seen.map((r) => r.reading.seq)).toEqual([1, 3]);
    const letters = app.db.prepare('SELECT reason, collar_id FROM dead_letters ORDER BY id').all();
    expect(letters).toEqual(
      expect.arrayContaining([
        { reason: 'internal-error', collar_id: 'C-0043' },
        { reason: 'invalid', collar_id: 'C-0042' },
      ]),
    );
  });

  it('on a store outage leaves the reading unacknowledged and asks to stop; after a restart the collar resends it', async () => {
    const config = makeTempConfig();
    cleanups.push(() => config.remove());
    const fatal: unknown[] = [];
    const seenBefore: AdmittedReading[] = [];
    const first = await startDaemon(config, seenBefore, { onFatal: (err) => fatal.push(err) });
    const mqttUrl = first.addresses().mqtt;
    // A collar that keeps its session and reconnects, as real collars do.
    const collar = mqtt.connect(mqttUrl, {
      username: 'green-acres',
      password: 'green-secret',
      clientId: 'collar-outage',
      clean: false,
      reconnectPeriod: 100,
    });
    cleanups.push(() => collar.endAsync(true));
    await new Promise<void>((resolve) => collar.once('connect', () => resolve()));

    // The disk stops taking writes (as when it is full): SQLite refuses every write from now on.
    first.db.pragma('query_only = ON');
    const acked = collar.publishAsync(TOPIC, JSON.stringify(reading(1, Date.now() - 60_000)), { qos: 1 });
    await waitFor(() => fatal.length > 0);
    expect(String((fatal[0] as { code?: string }).code)).toMatch(/^SQLITE_READONLY/);
    expect(seenBefore).toEqual([]);
    // What main does on onFatal: stop, then the supervisor starts the daemon again.
    first.db.pragma('query_only = OFF');
    await first.stop();

    const seenAfter: AdmittedReading[] = [];
    const port = Number(new URL(mqttUrl).port);
    const second = await startDaemon(config, seenAfter, { ports: { mqtt: port, http: 0 } });
    await acked;
    expect(seenAfter.map((r) => r.reading.seq)).toEqual([1]);
    const stored = second.db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number };
    expect(stored.n).toBe(1);
  });

  it('answers /healthz, /readyz and /metrics', async () => {
    const config = makeTempConfig();
    cleanups.push(() => config.remove());
    const app = await startDaemon(config, []);
    const health = await fetch(`${app.addresses().http}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${app.addresses().http}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    expect(body.checks.broker?.ok).toBe(true);
    const text = await metrics(app);
    expect(text).toContain('# TYPE cowbell_readings_rejected_total counter');
    expect(text).toContain('cowbell_config_last_reload_successful 1');
  });
});
