/**
 * Hostile-input benchmark (issue 12): what a hostile client costs the daemon.
 * 1. RSS growth while 8 raw sockets announce 256 MB CONNECT packets and stream data at the
 *    embedded broker (target <= 20 MB over the RSS measured just before, in the same run).
 * 2. Database growth from a 64 MB publish: through the embedded broker (refused by its packet
 *    limit) and handed straight to the ingest stage, as an external broker without a size limit
 *    would (dead-lettered as 4 KiB with its size and hash). Target <= 1 MB.
 *
 * Usage: npm run bench:hostile
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { loadRegistry } from '../src/config/coordinator.js';
import { createMetrics } from '../src/observability/metrics.js';
import { type Db, openDb } from '../src/store/db.js';
import { createIngestRepo } from '../src/store/ingest-repo.js';
import { createReadingsRepo } from '../src/store/readings-repo.js';
import { createIngest } from '../src/telemetry/ingest.js';

const SOCKETS = 8;
const ANNOUNCED = 268_435_455; // the largest MQTT remaining length
const STREAM_BYTES = 256 * 1024 * 1024; // what each hostile socket tries to send
const HUGE = 64 * 1024 * 1024;
const MB = 1_048_576;
const TOPIC = 'farms/bench/collars/B-0001/telemetry';
/** One buffer shared by the hostile sockets, so the attacker's own memory does not count as the daemon's. */
const chunk = Buffer.alloc(MB, 1);

function writeConfig(root: string): string {
  const dir = join(root, 'config');
  mkdirSync(join(dir, 'farms'), { recursive: true });
  writeFileSync(
    join(dir, 'cowbell.yaml'),
    'version: 1\nbroker:\n  embedded: { port: 0 }\nhttp: { port: 0 }\nlogging: { level: error }\n',
  );
  writeFileSync(
    join(dir, 'farms', 'bench.yaml'),
    'version: 1\nfarm: { id: bench, name: Bench, timezone: UTC }\nmqtt: { password: bench-secret }\ncows:\n  - { id: c1, name: C1, tag: "1", collar: B-0001 }\n',
  );
  return dir;
}

/** Database bytes on disk with the WAL folded in. */
function dbBytes(db: Db, path: string): number {
  db.pragma('wal_checkpoint(TRUNCATE)');
  return statSync(path).size;
}

const rssMb = () => process.memoryUsage().rss / MB;

/** One hostile socket: announce a huge CONNECT, then stream data (respecting backpressure) until closed. */
async function hostileSocket(port: number): Promise<number> {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  let sent = 0;
  socket.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]));
  while (!socket.destroyed && sent < STREAM_BYTES) {
    sent += chunk.length;
    if (!socket.write(chunk)) {
      await new Promise<void>((resolve) => {
        socket.once('drain', resolve);
        socket.once('close', resolve);
      });
    }
  }
  socket.destroy();
  return sent;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'cowbell-bench-hostile-'));
  const configDir = writeConfig(root);
  const dbPath = join(root, 'data', 'cowbell.db');
  let stored = 0;
  const app = await createApp({
    configDir,
    dbPath,
    watchConfig: false,
    readingSteps: [
      (b) => {
        stored += b.length;
      },
    ],
  });
  await app.start();
  const url = app.addresses().mqtt;
  const port = Number(new URL(url).port);
  const collar = await mqtt.connectAsync(url, {
    username: 'bench',
    password: 'bench-secret',
    reconnectPeriod: 0,
  });
  const reading = (seq: number) =>
    JSON.stringify({
      v: 1,
      collarId: 'B-0001',
      ts: Date.now() - 60_000 + seq,
      seq,
      intervalS: 60,
      activity: 1,
    });
  for (let seq = 1; seq <= 200; seq++) await collar.publishAsync(TOPIC, reading(seq), { qos: 1 });

  // 1. Memory under 8 hostile pre-login sockets.
  await new Promise((r) => setTimeout(r, 1_000));
  const before = rssMb();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb());
  }, 20);
  const started = performance.now();
  const sent = await Promise.all(Array.from({ length: SOCKETS }, () => hostileSocket(port)));
  const attackS = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 500));
  clearInterval(sampler);
  await collar.publishAsync(TOPIC, reading(1_000), { qos: 1 });

  // 2a. A 64 MB publish through the embedded broker.
  const dbBefore = dbBytes(app.db, dbPath);
  const big = await mqtt.connectAsync(url, {
    username: 'bench',
    password: 'bench-secret',
    reconnectPeriod: 0,
  });
  const closed = new Promise<void>((resolve) => big.once('close', () => resolve()));
  big.publish(TOPIC, Buffer.alloc(HUGE, 'x'), { qos: 1 });
  await closed;
  big.end(true);
  const brokerGrowth = dbBytes(app.db, dbPath) - dbBefore;
  collar.end(true);
  await app.stop();

  // 2b. The same 64 MB handed straight to the ingest stage (an external broker without a size limit).
  const loaded = loadRegistry(configDir);
  if (!loaded.ok) throw new Error('bench config invalid');
  const registry = loaded.registry;
  const db = openDb(dbPath);
  const ingest = createIngest({
    db,
    repo: createIngestRepo(db),
    readings: createReadingsRepo(db),
    registry: () => registry,
    now: Date.now,
    metrics: createMetrics(),
    logger: pino({ level: 'silent' }),
    onReadings: () => {},
  });
  const ingestBefore = dbBytes(db, dbPath);
  await new Promise<void>((resolve) => {
    ingest.accept(TOPIC, Buffer.alloc(HUGE, 'x'), () => resolve());
    ingest.flush();
  });
  const ingestGrowth = dbBytes(db, dbPath) - ingestBefore;
  db.close();
  rmSync(root, { recursive: true, force: true });

  const sentMb = sent.reduce((a, b) => a + b, 0) / MB;
  console.log('\nhostile-input benchmark (embedded aedes with its limits, real SQLite)');
  console.log(`  hostile sockets             ${SOCKETS}, each announcing a ${ANNOUNCED}-byte CONNECT`);
  console.log(
    `  bytes written before close  ${sentMb.toFixed(1)} MB in all (mostly into local socket buffers; ${attackS.toFixed(2)} s)`,
  );
  console.log(`  RSS before / peak           ${before.toFixed(1)} MB / ${peak.toFixed(1)} MB`);
  console.log(`  RSS growth                  ${(peak - before).toFixed(1)} MB  (target <= 20 MB)`);
  console.log(`  real collar afterwards      ${stored >= 201 ? 'reading stored' : 'READING LOST'}`);
  console.log(
    `  64 MB publish via broker    database +${(brokerGrowth / MB).toFixed(3)} MB (refused by the packet limit)`,
  );
  console.log(
    `  64 MB payload via ingest    database +${(ingestGrowth / MB).toFixed(3)} MB  (target <= 1 MB)`,
  );
}

await main();
