/**
 * A real Mosquitto (Debian's `mosquitto` package) for the external-broker tests: started on a free
 * port of 127.0.0.1 with a temp config and persistence folder, stopped with SIGTERM (which saves its
 * sessions and queues to disk, so a restart on the same folder keeps them).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait.js';

export const MOSQUITTO = '/usr/sbin/mosquitto';
export const hasMosquitto = existsSync(MOSQUITTO);

export interface Mosquitto {
  port: number;
  url: string;
  /** Stops the broker (SIGTERM: it writes its persistence file) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and persistence folder. */
  start(): Promise<void>;
  /** Stops it if running and deletes its folder. */
  remove(): Promise<void>;
}

/** A port the OS just handed out; Mosquitto 2.0 cannot listen on port 0 itself. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no port from the OS');
  return address.port;
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** `extra` is appended to the config, e.g. "max_queued_messages 100000". */
export async function startMosquitto(extra = ''): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'cowbell-mosquitto-'));
  const port = await freePort();
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(
    configFile,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${dir}/`,
      // When run as root Mosquitto switches to the user named here (default: "mosquitto").
      `user ${userInfo().username}`,
      'log_dest none',
      extra,
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    const proc = spawn(MOSQUITTO, ['-c', configFile], { stdio: 'ignore' });
    child = proc;
    exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    await waitFor(() => accepts(port), 10_000, `mosquitto listening on ${port}`);
  }
  async function stop(): Promise<void> {
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  }
  await start();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    start,
    stop,
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
