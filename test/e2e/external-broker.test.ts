/**
 * The daemon on an outside broker (here a separate aedes on 127.0.0.1, speaking MQTT 3.1.1 as
 * aedes does): a persistent session keeps what collars publish while the daemon is away, and the
 * daemon reconnects by itself after a broker outage.
 *
 * Cast: outside = a bare aedes broker standing in for Mosquitto/EMQX; collar = mqtt.js publisher.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import type { AdmittedReading } from '../../src/telemetry/ingest.js';
import { makeTempConfig } from '../support/config-dir.js';
import { waitFor } from '../support/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function startOutsideBroker(port = 0): Promise<{ port: number; close: () => Promise<void> }> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  cleanups.push(close);
  return { port: bound, close };
}

function externalConfig(port: number) {
  const config = makeTempConfig();
  cleanups.push(() => config.remove());
  writeFileSync(
    join(config.dir, 'cowbell.yaml'),
    `version: 1
broker:
  external:
    url: mqtt://127.0.0.1:${port}
    clientId: cowbell-test
    protocolVersion: 4
http: { host: 127.0.0.1, port: 0 }
logging: { level: silent }
`,
  );
  return config;
}

async function startDaemon(dir: string, dbPath: string, seen: AdmittedReading[]): Promise<App> {
  const app = await createApp({
    configDir: dir,
    dbPath,
    watchConfig: false,
    readingSteps: [(b) => seen.push(...b)],
  });
  await app.start();
  cleanups.push(() => app.stop());
  await waitFor(
    async () => (await fetch(`${app.addresses().http}/readyz`)).status === 200,
    5_000,
    'daemon connected',
  );
  return app;
}

const reading = (seq: number) =>
  JSON.stringify({
    v: 1,
    collarId: 'C-0042',
    ts: Date.now() - 600_000 + seq * 1000,
    seq,
    intervalS: 60,
    activity: 3,
  });
const TOPIC = 'farms/green-acres/collars/C-0042/telemetry';

describe('external broker', () => {
  it('receives, after a restart of the daemon, what collars published while it was away', async () => {
    const outside = await startOutsideBroker();
    const config = externalConfig(outside.port);
    const collar = await mqtt.connectAsync(`mqtt://127.0.0.1:${outside.port}`, { reconnectPeriod: 0 });
    cleanups.push(() => collar.endAsync(true));

    const first: AdmittedReading[] = [];
    const app1 = await startDaemon(config.dir, config.dbPath, first);
    await collar.publishAsync(TOPIC, reading(1), { qos: 1 });
    await waitFor(() => first.length === 1, 5_000, 'first reading');
    await app1.stop();

    // The daemon is down: the broker queues for its persistent session.
    await collar.publishAsync(TOPIC, reading(2), { qos: 1 });
    await collar.publishAsync(TOPIC, reading(3), { qos: 1 });

    const second: AdmittedReading[] = [];
    await startDaemon(config.dir, config.dbPath, second);
    await waitFor(() => second.length === 2, 5_000, 'queued readings');
    expect(second.map((r) => r.reading.seq)).toEqual([2, 3]);
  });

  it('reconnects by itself after the broker goes away and comes back', async () => {
    const outside = await startOutsideBroker();
    const config = externalConfig(outside.port);
    const seen: AdmittedReading[] = [];
    const app = await startDaemon(config.dir, config.dbPath, seen);
    await outside.close();
    await waitFor(
      async () => (await fetch(`${app.addresses().http}/readyz`)).status === 503,
      5_000,
      'not ready',
    );

    const back = await startOutsideBroker(outside.port);
    await waitFor(
      async () => (await fetch(`${app.addresses().http}/readyz`)).status === 200,
      10_000,
      'reconnected',
    );
    const collar = await mqtt.connectAsync(`mqtt://127.0.0.1:${back.port}`, { reconnectPeriod: 0 });
    cleanups.push(() => collar.endAsync(true));
    // The restarted broker lost its sessions; the daemon subscribes again on a fresh session.
    await waitFor(
      async () => {
        await collar.publishAsync(TOPIC, reading(seen.length + 10), { qos: 1 });
        return seen.length > 0;
      },
      5_000,
      'reading after reconnect',
    );
  });
});
