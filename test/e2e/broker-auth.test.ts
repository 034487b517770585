/**
 * Embedded broker security, proven with real mqtt.js clients against the daemon's aedes broker:
 * collars must log in with their farm's (or their own) credentials, may publish only under their own
 * farm's topics, and may subscribe to nothing.
 */
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import type { AdmittedReading } from '../../src/telemetry/ingest.js';
import { DAEMON_YAML, GREEN_ACRES_YAML, makeTempConfig, type TempConfig } from '../support/config-dir.js';
import { metricValue, waitFor } from '../support/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function startDaemon(
  daemonYaml = DAEMON_YAML,
): Promise<{ app: App; seen: AdmittedReading[]; config: TempConfig }> {
  const config = makeTempConfig(undefined, daemonYaml);
  cleanups.push(() => config.remove());
  const seen: AdmittedReading[] = [];
  const app = await createApp({
    configDir: config.dir,
    dbPath: config.dbPath,
    watchConfig: false,
    readingSteps: [(batch) => seen.push(...batch)],
  });
  await app.start();
  cleanups.push(() => app.stop());
  return { app, seen, config };
}

const reading = (collarId: string) =>
  JSON.stringify({ v: 1, collarId, ts: Date.now() - 60_000, seq: 1, intervalS: 60, activity: 10 });

describe('embedded broker authentication and ACL', () => {
  it('refuses a wrong password and anonymous clients', async () => {
    const { app } = await startDaemon();
    const opts = { reconnectPeriod: 0, connectTimeout: 2_000 };
    await expect(
      mqtt.connectAsync(app.addresses().mqtt, { ...opts, username: 'green-acres', password: 'wrong' }),
    ).rejects.toThrow(/Bad username or password|Not authorized/i);
    await expect(mqtt.connectAsync(app.addresses().mqtt, opts)).rejects.toThrow(
      /Bad username or password|Not authorized/i,
    );
    const text = await (await fetch(`${app.addresses().http}/metrics`)).text();
    expect(metricValue(text, 'cowbell_broker_auth_failures_total', 'reason="bad-credentials"')).toBe(2);
  });

  it('lets a farm collar publish for its own farm but not under another farm', async () => {
    const { app, seen } = await startDaemon();
    const collar = await mqtt.connectAsync(app.addresses().mqtt, {
      username: 'green-acres',
      password: 'green-secret',
      reconnectPeriod: 0,
    });
    cleanups.push(() => collar.endAsync(true));
    await collar.publishAsync('farms/green-acres/collars/C-0042/telemetry', reading('C-0042'), { qos: 1 });
    expect(seen).toHaveLength(1);

    // Farm A's credentials publishing as farm B's collar: refused, and aedes drops the connection.
    const closed = new Promise<void>((resolve) => collar.once('close', () => resolve()));
    collar.publish('farms/hillside/collars/H-1/telemetry', reading('H-1'), { qos: 1 });
    await closed;
    expect(seen).toHaveLength(1);
    const text = await (await fetch(`${app.addresses().http}/metrics`)).text();
    expect(metricValue(text, 'cowbell_broker_auth_failures_total', 'reason="publish-denied"')).toBe(1);
  });

  it('limits a per-collar credential to that collar and lets collars subscribe to nothing', async () => {
    const { app, seen } = await startDaemon();
    const bella = await mqtt.connectAsync(app.addresses().mqtt, {
      username: 'C-0043',
      password: 'bella-secret',
      reconnectPeriod: 0,
    });
    cleanups.push(() => bella.endAsync(true));
    // SUBACK 0x80: the subscription is refused, the collar stays connected.
    await expect(bella.subscribeAsync('farms/green-acres/#', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    await bella.publishAsync('farms/green-acres/collars/C-0043/telemetry', reading('C-0043'), { qos: 1 });
    await waitFor(() => seen.length === 1, 2_000, 'reading of C-0043');
    expect(seen[0]?.reading.cowId).toBe('bella');
    const closed = new Promise<void>((resolve) => bella.once('close', () => resolve()));
    bella.publish('farms/green-acres/collars/C-0042/telemetry', reading('C-0042'), { qos: 1 });
    await closed;
    expect(seen).toHaveLength(1);
  });

  it('accepts anonymous collars only when allowAnonymous is on', async () => {
    const { app, seen } = await startDaemon(
      DAEMON_YAML.replace('allowAnonymous: false', 'allowAnonymous: true'),
    );
    const collar = await mqtt.connectAsync(app.addresses().mqtt, { reconnectPeriod: 0 });
    cleanups.push(() => collar.endAsync(true));
    await collar.publishAsync('farms/hillside/collars/H-1/telemetry', reading('H-1'), { qos: 1 });
    expect(seen[0]?.reading.cowId).toBe('margot');
  });
  it('closes a connected collar whose login a config reload revokes, and keeps the others', async () => {
    const { app, seen, config } = await startDaemon();
    const opts = { reconnectPeriod: 0, connectTimeout: 2_000 };
    const bella = await mqtt.connectAsync(app.addresses().mqtt, {
      ...opts,
      username: 'C-0043',
      password: 'bella-secret',
    });
    cleanups.push(() => bella.endAsync(true));
    const farmCollar = await mqtt.connectAsync(app.addresses().mqtt, {
      ...opts,
      username: 'green-acres',
      password: 'green-secret',
    });
    cleanups.push(() => farmCollar.endAsync(true));
    const bellaClosed = new Promise<void>((resolve) => bella.once('close', () => resolve()));

    // The technician changes Bella's collar password (a lost collar, say) and the daemon reloads.
    expect(GREEN_ACRES_YAML).toContain('collarPassword: bella-secret');
    config.write(
      'farms/green-acres.yaml',
      GREEN_ACRES_YAML.replace('collarPassword: bella-secret', 'collarPassword: bella-new-secret'),
    );
    expect(app.reload()).toMatchObject({ ok: true, changed: true });
    await bellaClosed;

    await expect(
      mqtt.connectAsync(app.addresses().mqtt, { ...opts, username: 'C-0043', password: 'bella-secret' }),
    ).rejects.toThrow(/Bad username or password|Not authorized/i);
    // The farm's own login did not change: that collar stays connected and keeps delivering.
    expect(farmCollar.connected).toBe(true);
    await farmCollar.publishAsync('farms/green-acres/collars/C-0042/telemetry', reading('C-0042'), {
      qos: 1,
    });
    expect(seen.map((r) => r.reading.collarId)).toEqual(['C-0042']);
    const text = await (await fetch(`${app.addresses().http}/metrics`)).text();
    expect(metricValue(text, 'cowbell_broker_auth_failures_total', 'reason="login-revoked"')).toBe(1);
  });
  it('disconnects a dashboard whose farms a reload narrows, so its old subscription stops delivering', async () => {
    const withObserver = (farms: string) =>
      DAEMON_YAML.replace(
        'allowAnonymous: false',
        `allowAnonymous: false\n    observers:\n      - { username: dashboard, password: dash-secret, farms: [${farms}] }`,
      );
    const { app, config } = await startDaemon(withObserver('green-acres, hillside'));
    const opts = { reconnectPeriod: 0, connectTimeout: 2_000 };
    const login = { ...opts, username: 'dashboard', password: 'dash-secret' };
    const dashboard = await mqtt.connectAsync(app.addresses().mqtt, login);
    cleanups.push(() => dashboard.endAsync(true));
    await dashboard.subscribeAsync('farms/hillside/alerts/#', { qos: 1 });
    const closed = new Promise<void>((resolve) => dashboard.once('close', () => resolve()));

    config.write('cowbell.yaml', withObserver('green-acres'));
    expect(app.reload()).toMatchObject({ ok: true, changed: true });
    await closed;

    // Same password, narrower rights: it logs in again, and hillside is now refused.
    const again = await mqtt.connectAsync(app.addresses().mqtt, login);
    cleanups.push(() => again.endAsync(true));
    await expect(again.subscribeAsync('farms/hillside/alerts/#', { qos: 1 })).rejects.toThrow(
      /Subscribe error/,
    );
    await again.subscribeAsync('farms/green-acres/alerts/#', { qos: 1 });
    const text = await (await fetch(`${app.addresses().http}/metrics`)).text();
    expect(metricValue(text, 'cowbell_broker_auth_failures_total', 'reason="login-changed"')).toBe(1);
  });
});
