/**
 * Hot reload as a technician lives it: edit a farm file while collars are publishing. A valid change
 * (collar moved to another cow, a new contact) applies without restart; a broken file is refused with
 * a clear error in /readyz and metrics while the last good config keeps running.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import type { AdmittedReading } from '../../src/telemetry/ingest.js';
import { GREEN_ACRES_YAML, makeTempConfig } from '../support/config-dir.js';
import { metricValue, waitFor } from '../support/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('config hot reload', () => {
  it('applies a valid edit live and refuses a broken one while ingest continues', async () => {
    const config = makeTempConfig();
    cleanups.push(() => config.remove());
    const seen: AdmittedReading[] = [];
    const app = await createApp({
      configDir: config.dir,
      dbPath: config.dbPath,
      readingSteps: [(batch) => seen.push(...batch)],
    });
    await app.start();
    cleanups.push(() => app.stop());
    const collar = await mqtt.connectAsync(app.addresses().mqtt, {
      username: 'green-acres',
      password: 'green-secret',
      reconnectPeriod: 0,
    });
    cleanups.push(() => collar.endAsync(true));
    let seq = 0;
    const publish = () =>
      collar.publishAsync(
        'farms/green-acres/collars/C-0042/telemetry',
        JSON.stringify({
          v: 1,
          collarId: 'C-0042',
          ts: Date.now() - 60_000 + seq,
          seq: ++seq,
          intervalS: 60,
          activity: 5,
        }),
        { qos: 1 },
      );

    await publish();
    expect(seen.at(-1)?.reading.cowId).toBe('daisy');

    // The collar moves from Daisy to a new cow, and a vet is added; saved the way editors do
    // (write a temp file, rename it over the old one).
    const moved = GREEN_ACRES_YAML.replace(
      '{ id: daisy, name: Daisy, tag: "214", collar: C-0042 }',
      '{ id: daisy, name: Daisy, tag: "214" }',
    )
      .replace('cows:\n', 'cows:\n  - { id: rani, name: Rani, tag: "301", collar: C-0042 }\n')
      .concat('  - { id: vet, name: Dr Khan, phone: "+923009876543", role: vet, optedIn: true }\n');
    const farmFile = join(config.dir, 'farms', 'green-acres.yaml');
    writeFileSync(`${farmFile}.tmp`, moved);
    renameSync(`${farmFile}.tmp`, farmFile);
    await waitFor(
      () => app.registry().collarOwner('green-acres', 'C-0042')?.cowId === 'rani',
      5_000,
      'reload',
    );
    expect(
      app
        .registry()
        .farms.get('green-acres')
        ?.contacts.map((c) => c.id),
    ).toEqual(['ravi', 'vet']);
    await publish();
    expect(seen.at(-1)?.reading.cowId).toBe('rani');

    // A broken edit: refused, reported, and the last good config keeps running.
    config.write('farms/green-acres.yaml', moved.replace('timezone: Asia/Karachi', 'timezone: Nowhere/Land'));
    await waitFor(
      async () => {
        const ready = (await (await fetch(`${app.addresses().http}/readyz`)).json()) as {
          checks: { config: { ok: boolean; detail?: string } };
        };
        return ready.checks.config.ok === false;
      },
      10_000,
      'refused reload in /readyz',
    );
    const readyz = await fetch(`${app.addresses().http}/readyz`);
    expect(readyz.status).toBe(200);
    const body = (await readyz.json()) as { checks: { config: { detail: { lastReloadRefused: string } } } };
    expect(body.checks.config.detail.lastReloadRefused).toMatch(
      /farms\/green-acres\.yaml:5:\d+: farm\.timezone: expected an IANA time zone/,
    );
    const text = await (await fetch(`${app.addresses().http}/metrics`)).text();
    expect(metricValue(text, 'cowbell_config_last_reload_successful')).toBe(0);
    expect(metricValue(text, 'cowbell_config_reloads_total', 'result="refused"')).toBeGreaterThanOrEqual(1);
    await publish();
    expect(seen.at(-1)?.reading.cowId).toBe('rani');

    // Fixing the file brings the health field back.
    config.write('farms/green-acres.yaml', moved);
    // Written in place, so applied once it has settled (reload.settleSeconds, 2 s).
    await waitFor(async () => {
      const t = await (await fetch(`${app.addresses().http}/metrics`)).text();
      return metricValue(t, 'cowbell_config_last_reload_successful') === 1;
    }, 10_000);
  });
});
