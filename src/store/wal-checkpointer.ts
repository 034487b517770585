/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit
 * pushes the write-ahead log past 1000 pages: that commit then copies the log into the database
 * and syncs it, a stall of a few hundred milliseconds on the event loop while a large detector
 * snapshot is written. Here the daemon's connection never checkpoints; a worker thread with its own
 * connection runs PASSIVE checkpoints (which never wait for, nor block, the writer; see
 * https://www.sqlite.org/wal.html#checkpointing) every second, except while a detector snapshot
 * is being written (measured: checkpoint I/O during the snapshot tripled /healthz p99).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Db } from './db.js';

/** The worker's whole program; better-sqlite3 is loaded from the path the daemon resolved. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
parentPort.on('message', (mode) => {
  try {
    const [result] = db.pragma('wal_checkpoint(' + mode + ')');
    parentPort.postMessage({ ok: true, result });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String(err && err.message || err) });
  }
});
`;

const INTERVAL_MS = 1000;

export interface WalCheckpointer {
  /**
   * Holds checkpoints back (a detector snapshot is writing: copying and syncing the log at the same
   * time competes with it for the disk), or lets them run again.
   */
  hold(held: boolean): void;
  /** Stops the timer and the worker (the daemon's own close then checkpoints what is left). */
  close(): Promise<void>;
}

export function startWalCheckpointer(db: Db, path: string, logger: Logger): WalCheckpointer {
  const log = logger.child({ module: 'wal-checkpoint' });
  db.pragma('wal_autocheckpoint = 0');
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path } });
  worker.unref();
  let busy = false;
  let closing = false;
  let held = false;
  worker.on('message', (reply: { ok: boolean; error?: string }) => {
    busy = false;
    if (!reply.ok) log.warn({ error: reply.error }, 'WAL checkpoint failed; tried again in a second');
  });
  worker.on('error', (err) =>
    log.error({ err }, 'WAL checkpoint worker failed; the daemon checkpoints itself'),
  );
  worker.on('exit', () => {
    clearInterval(timer);
    // The worker died on its own: the daemon's connection checkpoints itself again.
    if (!closing && db.open) db.pragma('wal_autocheckpoint = 1000');
  });
  const timer = setInterval(() => {
    if (busy || held) return;
    busy = true;
    worker.postMessage('PASSIVE');
  }, INTERVAL_MS);
  timer.unref();
  return {
    hold(value) {
      held = value;
    },
    async close() {
      closing = true;
      clearInterval(timer);
      await worker.terminate();
    },
  };
}
