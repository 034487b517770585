/**
 * The compiled daemon as an operator runs it: `node dist/src/main.js start` in a child process,
 * SIGTERM, and a clean exit 0 well within the 10 s an orchestrator waits. Also the exit codes of
 * `cowbell config check` and a bad argument.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAEMON_YAML, makeTempConfig } from '../support/config-dir.js';
import { waitFor } from '../support/wait.js';

const run = promisify(execFile);
const MAIN = 'dist/src/main.js';

beforeAll(async () => {
  // Production runs compiled JavaScript: build it as `npm start` would.
  await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { timeout: 120_000 });
}, 180_000);

const config = makeTempConfig(undefined, DAEMON_YAML.replace(/level: \w+/, 'level: info'));
afterAll(() => config.remove());

describe('the cowbell process', () => {
  it('stops on SIGTERM with exit code 0 after logging that it stopped', async () => {
    expect(existsSync(MAIN)).toBe(true);
    const child: ChildProcess = spawn(
      process.execPath,
      [MAIN, 'start', '--config', config.dir, '--db', config.dbPath],
      {
        env: { ...process.env, LOG_PRETTY: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => out.includes('cowbell started'), 15_000, 'daemon start');
    child.kill('SIGTERM');
    const code = await exited;
    expect(code).toBe(0);
    expect(out).toContain('cowbell stopped');
  });

  it('exits 2 with one clear line on a bad argument, and 0 or 2 from config check', async () => {
    await expect(run(process.execPath, [MAIN, 'frobnicate'])).rejects.toMatchObject({
      code: 2,
      stderr: 'cowbell: unknown command "frobnicate"; try: cowbell --help\n',
    });
    const ok = await run(process.execPath, [MAIN, 'config', 'check', config.dir]);
    expect(ok.stdout).toMatch(/is valid: 2 farm\(s\), 3 cow\(s\)/);
    config.write('farms/broken.yaml', 'version: 1\nfarm: { id: "bad id", name: X, timezone: UTC }\n');
    await expect(run(process.execPath, [MAIN, 'config', 'check', config.dir])).rejects.toMatchObject({
      code: 2,
      stdout: expect.stringContaining('farms/broken.yaml:2:'),
    });
  });
});
