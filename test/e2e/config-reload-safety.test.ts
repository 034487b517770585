/**
 * Unlucky edits while collars publish: a farm file caught half-written for a second, or gone for a
 * second, must not be applied. No reading is dead-lettered as an unknown collar, no collar is
 * disconnected, the farm keeps running; only a file gone for longer than the grace period drops it.
 */
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { DAEMON_YAML, GREEN_ACRES_YAML, makeTempConfig, type TempConfig } from '../support/config-dir.js';
import { captureLog } from '../support/log-capture.js';
import { metricValue, waitFor } from '../support/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Herd {
  app: App;
  config: TempConfig;
  logText: () => string;
  admitted: () => number;
  /** Readings the broker acknowledged (QoS 1), and how often a collar lost its connection. */
  acked: () => number;
  disconnects: () => number;
  publishing: { stop(): Promise<void> };
}

/** Starts the daemon and two green-acres collars (farm login and per-collar login) publishing. */
async function startHerd(daemonYaml = DAEMON_YAML): Promise<Herd> {
  // The log level comes from the config at each reload: keep the warnings this test reads.
  const config = makeTempConfig(undefined, daemonYaml.replace(/level: \w+/, 'level: info'));
  cleanups.push(() => config.remove());
  const log = captureLog('info');
  let admitted = 0;
  const app = await createApp({
    configDir: config.dir,
    dbPath: config.dbPath,
    logger: log.logger,
    readingSteps: [
      (batch) => {
        admitted += batch.length;
      },
    ],
  });
  await app.start();
  cleanups.push(() => app.stop());
  let acked = 0;
  let disconnects = 0;
  const collars: [string, MqttClient][] = [];
  for (const [collarId, username, password] of [
    ['C-0042', 'green-acres', 'green-secret'],
    ['C-0043', 'C-0043', 'bella-secret'],
  ] as const) {
    const client = await mqtt.connectAsync(app.addresses().mqtt, { username, password, reconnectPeriod: 0 });
    client.on('close', () => disconnects++);
    cleanups.push(() => client.endAsync(true));
    collars.push([collarId, client]);
  }
  let running = true;
  let seq = 0;
  const loop = (async () => {
    while (running) {
      seq++;
      await Promise.all(
        // A disconnected collar's publish would never be acknowledged: skip it (the test counts it).
        collars
          .filter(([, client]) => client.connected)
          .map(([collarId, client]) =>
            client
              .publishAsync(
                `farms/green-acres/collars/${collarId}/telemetry`,
                JSON.stringify({ v: 1, collarId, ts: Date.now() - 60_000, seq, intervalS: 60, activity: 5 }),
                { qos: 1 },
              )
              .then(() => {
                acked++;
              }),
          ),
      );
      await sleep(50);
    }
  })();
  return {
    app,
    config,
    logText: log.text,
    admitted: () => admitted,
    acked: () => acked,
    disconnects: () => disconnects,
    publishing: {
      async stop() {
        running = false;
        await Promise.race([loop, sleep(2_000)]);
      },
    },
  };
}

async function readyz(app: App) {
  return (await (await fetch(`${app.addresses().http}/readyz`)).json()) as {
    checks: { config: { ok: boolean; detail?: { missingFarmFiles?: { file: string; farmId: string }[] } } };
  };
}

/** Every acknowledged reading reached the pipeline, none became a dead letter, no collar dropped. */
async function expectNothingLost(herd: Herd): Promise<void> {
  await herd.publishing.stop();
  await waitFor(() => herd.admitted() === herd.acked(), 5_000, 'every acknowledged reading admitted');
  expect(herd.acked()).toBeGreaterThan(20);
  const dead = herd.app.db.prepare('SELECT reason, COUNT(*) AS n FROM dead_letters GROUP BY reason').all();
  expect(dead).toEqual([]);
  expect(herd.disconnects()).toBe(0);
}

const farmFile = (config: TempConfig, name = 'green-acres.yaml') => join(config.dir, 'farms', name);
const NEW_CONTACT = '  - { id: vet, name: Dr Khan, phone: "+923009876543", role: vet }\n';

describe('config reload of unlucky edits', () => {
  it('never applies a farm file caught half-written for a second', async () => {
    const herd = await startHerd();
    await waitFor(() => herd.acked() > 10, 5_000, 'collars publishing');

    // Written in place, cut short after the farm block: still valid YAML, but without the collar
    // login and the cows. Applied, it would disconnect both collars and dead-letter their readings.
    const full = GREEN_ACRES_YAML + NEW_CONTACT;
    writeFileSync(farmFile(herd.config), full.slice(0, full.indexOf('mqtt:')));
    await sleep(1_000);
    writeFileSync(farmFile(herd.config), full);
    await waitFor(
      () => herd.app.registry().farms.get('green-acres')?.contacts.length === 2,
      10_000,
      'the finished file applied',
    );
    await sleep(300);

    await expectNothingLost(herd);
    const metrics = await (await fetch(`${herd.app.addresses().http}/metrics`)).text();
    // Only the finished file was ever applied; the half one was not even tried.
    expect(metricValue(metrics, 'cowbell_config_reloads_total', 'result="applied"')).toBe(1);
    expect(metricValue(metrics, 'cowbell_config_reloads_total', 'result="refused"')).toBe(0);
  });

  it('keeps a farm whose file is deleted for a second, and says so in /readyz', async () => {
    const herd = await startHerd();
    await waitFor(() => herd.acked() > 10, 5_000, 'collars publishing');

    unlinkSync(farmFile(herd.config));
    await waitFor(
      async () => (await readyz(herd.app)).checks.config.detail?.missingFarmFiles?.length === 1,
      5_000,
      'missing farm file in /readyz',
    );
    const ready = await readyz(herd.app);
    expect(ready.checks.config.ok).toBe(false);
    expect(ready.checks.config.detail?.missingFarmFiles?.[0]).toMatchObject({
      file: 'farms/green-acres.yaml',
      farmId: 'green-acres',
    });
    expect(herd.app.registry().collarOwner('green-acres', 'C-0043')?.cowId).toBe('bella');
    const metrics = await (await fetch(`${herd.app.addresses().http}/metrics`)).text();
    expect(metricValue(metrics, 'cowbell_config_missing_farm_files')).toBe(1);
    await sleep(1_000);
    writeFileSync(farmFile(herd.config), GREEN_ACRES_YAML);
    await waitFor(async () => (await readyz(herd.app)).checks.config.ok, 10_000, 'file back in /readyz');

    await expectNothingLost(herd);
    expect(herd.app.registry().farms.has('green-acres')).toBe(true);
    expect(herd.logText()).toContain(
      'farm file farms/green-acres.yaml is missing: farm \\"green-acres\\" keeps running on its last config',
    );
  });

  it('drops a farm whose file stays away past the grace period, with a warning', async () => {
    // 0.02 minutes: 1.2 s of grace, so the test does not wait the 5-minute default.
    const herd = await startHerd(`${DAEMON_YAML}reload:\n  missingFarmGraceMinutes: 0.02\n`);
    await herd.publishing.stop();
    unlinkSync(farmFile(herd.config, 'hillside.yaml'));
    await waitFor(() => !herd.app.registry().farms.has('hillside'), 10_000, 'hillside dropped');
    expect(herd.app.registry().farms.has('green-acres')).toBe(true);
    expect((await readyz(herd.app)).checks.config.ok).toBe(true);
    expect(herd.logText()).toMatch(
      /farm file farms\/hillside\.yaml has been missing since \S+Z: farm \\"hillside\\" is dropped and its collars are disconnected/,
    );
  });
});
