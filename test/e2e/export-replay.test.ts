/**
 * Back-testing on the farm's own herd: readings the live daemon stored are exported as a recording
 * (`cowbell export`) and replayed (`cowbell replay`), which raises the same alerts the live run
 * raised on those readings. Also the command's edges: --help, and a one-line reason with exit 2.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { exportReadings } from '../../src/export/command.js';
import { runReplay } from '../../src/replay/command.js';
import { makeTempConfig } from '../support/config-dir.js';

const run = promisify(execFile);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('export and replay', () => {
  it('replays an export of the store into the same alerts as the live run', async () => {
    const config = makeTempConfig();
    cleanups.push(() => config.remove());
    const app = await createApp({ configDir: config.dir, dbPath: config.dbPath, watchConfig: false });
    await app.start();
    const collar = await mqtt.connectAsync(app.addresses().mqtt, {
      username: 'green-acres',
      password: 'green-secret',
      reconnectPeriod: 0,
    });
    // Daisy runs a fever for 50 minutes, Bella stays normal; one reading of hers comes twice.
    const start = Date.now() - 50 * 60_000;
    for (let minute = 0; minute <= 50; minute++) {
      for (const [collarId, temperatureC] of [
        ['C-0042', minute < 5 ? 38.7 : 41.05],
        ['C-0043', 38.55],
      ] as const) {
        const reading = {
          v: 1,
          collarId,
          ts: start + minute * 60_000,
          seq: minute,
          intervalS: 60,
          activity: 150 + (minute % 7),
          ruminationMin: 0.4,
          temperatureC,
          battery: 0.913,
          rssi: -70,
        };
        const topic = `farms/green-acres/collars/${collarId}/telemetry`;
        await collar.publishAsync(topic, JSON.stringify(reading), { qos: 1 });
        if (minute === 20) await collar.publishAsync(topic, JSON.stringify(reading), { qos: 1 });
      }
    }
    await collar.endAsync();
    const live = (
      app.db.prepare('SELECT cow_id, kind, onset_ts FROM alerts ORDER BY onset_ts').all() as {
        cow_id: string;
        kind: string;
        onset_ts: number;
      }[]
    ).map((a) => `${a.cow_id}:${a.kind}:${a.onset_ts}`);
    await app.stop();
    expect(live).toEqual([`daisy:fever:${start + 5 * 60_000}`]);

    const file = join(config.dir, '..', 'green-acres.jsonl');
    const out = createWriteStream(file);
    const written = await exportReadings(
      { dbPath: config.dbPath, farmId: 'green-acres', fromMs: start, toMs: Date.now() },
      out,
    );
    await new Promise<void>((resolve) => out.end(resolve));
    expect(written).toBe(102);
    const replayed = await runReplay({ configDir: config.dir, input: file });
    if ('issues' in replayed) throw new Error(replayed.issues);
    const raised = replayed.changes
      .filter((c) => c.state === 'firing')
      .map((c) => `${c.cowId}:${c.kind}:${Date.parse(c.onsetTs)}`);
    expect([...new Set(raised)]).toEqual(live);

    // One cow only, and the lines are the protocol's recording form.
    const daisy = join(config.dir, '..', 'daisy.jsonl');
    const daisyOut = createWriteStream(daisy);
    await exportReadings(
      { dbPath: config.dbPath, farmId: 'green-acres', cowId: 'daisy', fromMs: start, toMs: Date.now() },
      daisyOut,
    );
    await new Promise<void>((resolve) => daisyOut.end(resolve));
    const lines = readFileSync(daisy, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(51);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      topic: 'farms/green-acres/collars/C-0042/telemetry',
      payload: {
        v: 1,
        collarId: 'C-0042',
        ts: start,
        seq: 0,
        intervalS: 60,
        activity: 150,
        ruminationMin: 0.4,
        temperatureC: 38.7,
        battery: 0.913,
        rssi: -70,
      },
    });
  }, 60_000);

  it('prints help, and refuses bad arguments with one line and exit code 2', async () => {
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'export', ...args], { timeout: 30_000 });
    const help = await cli('--help');
    expect(help.stdout).toContain('cowbell export --farm F [--cow C] --from T --to T');
    await expect(
      cli('--farm', 'green-acres', '--from', 'yesterday', '--to', '2026-11-25', '--db', 'x.db'),
    ).rejects.toMatchObject({
      code: 2,
      stderr:
        'cowbell: --from yesterday is not a time; use RFC 3339 (2026-11-24T06:00:00Z) or a date (2026-11-24)\n',
    });
    await expect(
      cli('--farm', 'green-acres', '--from', '2026-11-25', '--to', '2026-11-24', '--db', 'x.db'),
    ).rejects.toMatchObject({
      code: 2,
      stderr: 'cowbell: --to (2026-11-24) must be later than --from (2026-11-25)\n',
    });
    await expect(
      cli('--farm', 'green-acres', '--from', '2026-11-24', '--to', '2026-11-25', '--db', 'missing.db'),
    ).rejects.toMatchObject({
      code: 2,
      stderr: 'cowbell: database missing.db does not exist; give --db FILE\n',
    });
  }, 60_000);
});
