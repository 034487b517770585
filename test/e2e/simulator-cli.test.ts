import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { connectAsync } from 'mqtt';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../simulator/cli.js';
import { farmFileSchema } from '../../src/config/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'cowbell-sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm run sim -- args` in this process: exit code and what it printed. */
async function sim(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** The real program, as `npm run sim` starts it in development (tsx). */
function spawnSim(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'simulator/cli.ts', ...args], (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('npm run sim', () => {
  it('runs as a program: help exits 0, a bad argument prints one line and exits 2', async () => {
    const [help, bad] = await Promise.all([spawnSim(['--help']), spawnSim(['--colour'])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--speed N|max');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^sim: Unknown option '--colour' \(see --help\)\n$/);
  });

  it('rejects bad values with one line naming the option and exit code 2', async () => {
    for (const args of [
      ['--days', 'soon', '--record', 'x'],
      ['--interval', '120', '--record', 'x'],
      ['--speed', 'fast', '--broker', 'mqtt://127.0.0.1:1'],
      ['--broker', 'http://example'],
      ['--farm', 'nope', '--record', 'x'],
      ['--days', '1'],
    ]) {
      const out = await sim(args);
      expect(out.code).toBe(2);
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
      expect(out.stderr).toMatch(/^sim: .*\(see --help\)$/m);
    }
  });

  it('records a herd topped up with generated cows, and its ground truth', async () => {
    const record = join(dir, 'herd.jsonl');
    const truthFile = join(dir, 'truth.json');
    const out = await sim([
      '--farm',
      'demo',
      '--cows',
      '14',
      '--days',
      '1',
      '--record',
      record,
      '--truth',
      truthFile,
    ]);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('generated 2 extra cows');
    const lines = readFileSync(record, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(14 * 288);
    const truth = JSON.parse(readFileSync(truthFile, 'utf8'));
    expect(truth).toMatchObject({ version: 1, seed: 1, startTs: '2026-03-02T00:00:00Z', intervalS: 300 });
    expect(truth.farms[0].cows).toHaveLength(14);
  });

  it('writes a farm file the daemon accepts', async () => {
    const file = join(dir, 'big.yaml');
    expect((await sim(['--generate-farm', '40', '--out', file, '--farm-id', 'big'])).code).toBe(0);
    expect(farmFileSchema.parse(parse(readFileSync(file, 'utf8'))).cows).toHaveLength(40);
  });

  it('publishes live to a broker and records what it published', async () => {
    const broker = await Aedes.createBroker();
    const server = createServer(broker.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const listener = await connectAsync(url, { clientId: 'cli-test' });
    const received: string[] = [];
    listener.on('message', (topic) => received.push(topic));
    await listener.subscribeAsync('farms/#', { qos: 1 });
    try {
      const record = join(dir, 'live.jsonl');
      const out = await sim([
        '--farm',
        'demo',
        '--days',
        '0.25',
        '--broker',
        url,
        '--speed',
        'max',
        '--record',
        record,
      ]);
      expect(out.code).toBe(0);
      const lines = readFileSync(record, 'utf8').trimEnd().split('\n');
      for (let i = 0; i < 300 && received.length < lines.length; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(received.sort()).toEqual(lines.map((l) => (JSON.parse(l) as { topic: string }).topic).sort());
    } finally {
      await listener.endAsync();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
