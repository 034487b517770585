/**
 * kill -9 loses nothing a collar was told was stored: fever readings acknowledged (QoS 1 PUBACK)
 * just before the daemon is killed reach the detector after the restart, so the fever is raised,
 * and a second crash after the alert was decided raises no second alert and sends no second
 * message. The daemon runs as a child process; the test reads its SQLite file between runs.
 */
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildDaemon, startChildDaemon } from '../support/child-daemon.js';
import { DAEMON_YAML, makeTempConfig } from '../support/config-dir.js';
import { waitFor } from '../support/wait.js';

const FARM = `version: 1
farm: { id: green-acres, name: Green Acres, timezone: UTC }
mqtt: { password: green-secret }
cows:
  - { id: daisy, name: Daisy, tag: "214", collar: C-0042 }
contacts:
  - { id: ravi, name: Ravi, phone: "+923001234567", language: en, role: herdsman, optedIn: true }
policy:
  severities:
    critical: { groupWaitSeconds: 0 }
`;

const daemons: ChildDaemon[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.stop('SIGKILL');
  for (const c of cleanups.splice(0)) c();
});

/** Publishes one 41 C reading a minute for minutes [from, to] of a fever that began `start`; resolves once all are acknowledged. */
async function publishFever(url: string, start: number, from: number, to: number): Promise<void> {
  const collar = await mqtt.connectAsync(url, {
    username: 'green-acres',
    password: 'green-secret',
    reconnectPeriod: 0,
  });
  for (let minute = from; minute <= to; minute++) {
    const reading = {
      v: 1,
      collarId: 'C-0042',
      ts: start + minute * 60_000,
      seq: minute,
      intervalS: 60,
      activity: 40,
      temperatureC: 41,
    };
    await collar.publishAsync('farms/green-acres/collars/C-0042/telemetry', JSON.stringify(reading), {
      qos: 1,
    });
  }
  await collar.endAsync(true);
}

describe('crash recovery', () => {
  it('raises a fever from readings acknowledged before kill -9, once, across two crashes', async () => {
    const config = makeTempConfig(
      { 'green-acres.yaml': FARM },
      DAEMON_YAML.replace(/level: \w+/, 'level: info'),
    );
    cleanups.push(() => config.remove());
    const start = Date.now() - 45 * 60_000;
    const count = (sql: string) => {
      const db = new Database(config.dbPath, { readonly: true });
      try {
        return db.prepare(sql).pluck().get() as number;
      } finally {
        db.close();
      }
    };
    const feverAlerts = "SELECT count(*) FROM alerts WHERE kind = 'fever'";
    const alertMessages = "SELECT count(*) FROM outbox WHERE purpose = 'alert'";

    // 25 minutes of fever, every reading acknowledged, then kill -9 before any snapshot.
    const first = await startChildDaemon(config.dir, config.dbPath);
    daemons.push(first);
    await publishFever(first.mqtt, start, 0, 24);
    expect(await first.stop('SIGKILL')).toBe(null);
    expect(count(feverAlerts)).toBe(0);

    // The fever goes on: 30 minutes after its onset the alert comes, onset kept from before the crash.
    const second = await startChildDaemon(config.dir, config.dbPath);
    daemons.push(second);
    await publishFever(second.mqtt, start, 25, 32);
    expect(count(feverAlerts)).toBe(1);
    expect(count("SELECT onset_ts FROM alerts WHERE kind = 'fever'")).toBe(start);
    // Killed again right after deciding: the restart replays those readings, decides nothing new.
    await second.stop('SIGKILL');

    const third = await startChildDaemon(config.dir, config.dbPath);
    daemons.push(third);
    await publishFever(third.mqtt, start, 33, 36);
    await waitFor(() => count(alertMessages) > 0, 15_000, 'the fever message in the outbox');
    expect(await third.stop('SIGTERM')).toBe(0);
    expect(count(feverAlerts)).toBe(1);
    expect(count(alertMessages)).toBe(1);
    expect(third.output()).toContain('detector caught up with stored readings');
  }, 90_000);
});
