/**
 * The daemon as an operator runs it, in a child process (through tsx, so no build is needed):
 * `cowbell start --config DIR --db FILE`, its JSON log lines collected, its MQTT address read
 * from the "cowbell started" line. For crash and restart tests: SIGKILL is a real kill -9.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { waitFor } from './wait.js';

export interface ChildDaemon {
  mqtt: string;
  output(): string;
  /** Sends the signal and resolves with the exit code (null when killed by a signal). */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

export async function startChildDaemon(configDir: string, dbPath: string): Promise<ChildDaemon> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', 'start', '--config', configDir, '--db', dbPath],
    { env: { ...process.env, LOG_PRETTY: '0' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let mqtt = '';
  await waitFor(
    () => {
      mqtt = /"mqtt":"(mqtt:\/\/[^"]+)".*"msg":"cowbell started"/.exec(out)?.[1] ?? '';
      return mqtt !== '' || child.exitCode !== null;
    },
    30_000,
    'the child daemon to start',
  );
  if (mqtt === '') throw new Error(`the child daemon did not start:\n${out}`);
  return {
    mqtt,
    output: () => out,
    stop(signal) {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
