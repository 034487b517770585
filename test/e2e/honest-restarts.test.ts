/**
 * Restarts and outages tell the truth: stopping the daemon (what SIGTERM does) with 200 collars
 * connected, each with a last will, raises no collar-offline alert and sends no message, neither
 * while stopping nor after the restart; and most of a farm's collars going silent at once is one
 * farm-level alert and one message, not one per cow. Real daemon (createApp) on a hand-moved
 * clock, its embedded broker, real mqtt.js collars, SQLite in a temp dir.
 */
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { DAEMON_YAML, makeTempConfig, type TempConfig } from '../support/config-dir.js';
import { waitFor } from '../support/wait.js';

const MIN = 60_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const collarId = (i: number) => `R-${String(i).padStart(3, '0')}`;

function farmYaml(cows: number): string {
  const lines = Array.from(
    { length: cows },
    (_, i) => `  - { id: cow-${i}, name: Cow ${i}, tag: "${i}", collar: ${collarId(i)} }`,
  );
  return `version: 1
farm: { id: ridge, name: Ridge, timezone: UTC }
mqtt: { password: ridge-secret }
cows:
${lines.join('\n')}
contacts:
  - { id: ravi, name: Ravi, phone: "+923001234567", language: en, role: herdsman, optedIn: true }
`;
}

async function startApp(config: TempConfig, clock: ManualClock, logs: string[] = []): Promise<App> {
  const logger = pino({ level: 'warn' }, { write: (line: string) => logs.push(line) });
  const app = await createApp({
    configDir: config.dir,
    dbPath: config.dbPath,
    watchConfig: false,
    clock,
    logger,
    writeConsole: () => {},
  });
  await app.start();
  cleanups.push(() => app.stop());
  return app;
}

/** Connects collars [0, n) with their last will, each sending one reading stamped `ts`. */
async function connectCollars(app: App, n: number, ts: number): Promise<MqttClient[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const id = collarId(i);
      const client = await mqtt.connectAsync(app.addresses().mqtt, {
        username: 'ridge',
        password: 'ridge-secret',
        clientId: id,
        reconnectPeriod: 0,
        will: {
          topic: `farms/ridge/collars/${id}/status`,
          payload: Buffer.from('offline'),
          qos: 1,
          retain: false,
        },
      });
      cleanups.push(() => client.endAsync(true));
      await publishReading(client, i, ts, 1);
      return client;
    }),
  );
}

function publishReading(client: MqttClient, i: number, ts: number, seq: number): Promise<unknown> {
  const reading = { v: 1, collarId: collarId(i), ts, seq, intervalS: 300, activity: 200, temperatureC: 38.6 };
  return client.publishAsync(`farms/ridge/collars/${collarId(i)}/telemetry`, JSON.stringify(reading), {
    qos: 1,
  });
}

const count = (app: App, sql: string, ...args: unknown[]) =>
  app.db
    .prepare(sql)
    .pluck()
    .get(...args) as number;

describe('honest restarts and outages', () => {
  it('stopping with 200 connected collars and a restart raise no collar-offline alert and send nothing', async () => {
    const config = makeTempConfig({ 'ridge.yaml': farmYaml(200) }, DAEMON_YAML);
    cleanups.push(() => config.remove());
    const clock = new ManualClock(Date.now());
    const logs: string[] = [];
    const first = await startApp(config, clock, logs);
    await connectCollars(first, 200, clock.now() - MIN);
    expect(count(first, 'SELECT count(*) FROM readings')).toBe(200);
    await first.stop();
    expect(logs.filter((l) => l.includes('mqemitter is closed'))).toEqual([]);

    // Down for an hour (longer than any group wait), then back: the collars have not reconnected
    // yet. 45 minutes later their last readings are 106 minutes old, but we have listened for 45.
    clock.advanceBy(60 * MIN);
    const second = await startApp(config, clock, logs);
    second.tick();
    clock.advanceBy(45 * MIN);
    second.tick();
    expect(count(second, "SELECT count(*) FROM alerts WHERE kind = 'collar-offline'")).toBe(0);
    expect(count(second, 'SELECT count(*) FROM alerts')).toBe(0);
    expect(count(second, 'SELECT count(*) FROM outbox')).toBe(0);
  }, 60_000);

  it('calls 90% of a farm’s collars going silent at once one farm-level alert with one message', async () => {
    const config = makeTempConfig({ 'ridge.yaml': farmYaml(20) }, DAEMON_YAML);
    cleanups.push(() => config.remove());
    const clock = new ManualClock(Date.now());
    const app = await startApp(config, clock);
    const collars = await connectCollars(app, 20, clock.now());
    // The farm's gateway goes down: only two collars (on another uplink) go on reporting.
    // Long enough for any collar-offline threshold (60 to 90 minutes of silence by default).
    for (let step = 1; step <= 30; step++) {
      clock.advanceBy(5 * MIN);
      await Promise.all(
        [0, 1].map((i) => publishReading(collars[i] as MqttClient, i, clock.now(), step + 1)),
      );
      app.tick();
    }
    const herd = app.db.prepare("SELECT state, record FROM alerts WHERE kind = 'herd-offline'").all() as {
      state: string;
      record: string;
    }[];
    expect(herd.map((a) => a.state)).toEqual(['firing']);
    expect(JSON.parse(herd[0]?.record ?? '{}').summary).toMatch(
      /^Ridge: 18 of 20 collars stopped reporting at \d\d:\d\d UTC$/,
    );
    const cows = app.db
      .prepare("SELECT record FROM alerts WHERE kind = 'collar-offline'")
      .all()
      .map((r) => JSON.parse((r as { record: string }).record) as { suppressed: string | null });
    expect(cows).toHaveLength(18);
    expect(cows.every((a) => a.suppressed === 'herd')).toBe(true);

    // After the group wait, one message: about the farm, none per cow.
    clock.advanceBy(11 * MIN);
    app.tick();
    await waitFor(() => count(app, 'SELECT count(*) FROM outbox') > 0, 5_000, 'the message');
    const messages = app.db.prepare("SELECT payload FROM outbox WHERE purpose = 'alert'").all() as {
      payload: string;
    }[];
    expect(messages).toHaveLength(1);
    expect(count(app, 'SELECT count(*) FROM outbox')).toBe(1);
  }, 60_000);
});
