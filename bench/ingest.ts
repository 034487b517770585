/**
 * Ingest benchmark (issue 2): a second process publishes readings (QoS 1) through the embedded
 * broker into the real daemon, which stores each before its PUBACK. The same load is then sent to
 * a bare aedes broker with a no-op mqtt.js subscriber, for the ratio. Prints readings/s, CPU and
 * RSS (peak and along the run, to show memory stays flat while the publisher outpaces intake).
 *
 * Usage: npm run bench:ingest [-- COUNT CONNECTIONS]
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { createApp } from '../src/app.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const COUNT = Number(process.argv[2] ?? 200_000);
const CONNECTIONS = Number(process.argv[3] ?? 20);

function writeBenchConfig(root: string): string {
  const dir = join(root, 'config');
  mkdirSync(join(dir, 'farms'), { recursive: true });
  writeFileSync(
    join(dir, 'cowbell.yaml'),
    'version: 1\nbroker:\n  embedded: { port: 0, allowAnonymous: true }\nhttp: { port: 0 }\nlogging: { level: warn }\n',
  );
  const cows = Array.from(
    { length: CONNECTIONS },
    (_, i) => `  - { id: cow-${i}, name: Cow ${i}, tag: "${i}", collar: B-${String(i).padStart(4, '0')} }`,
  );
  writeFileSync(
    join(dir, 'farms', 'bench.yaml'),
    `version: 1\nfarm: { id: bench, name: Bench, timezone: UTC }\ncows:\n${cows.join('\n')}\n`,
  );
  return dir;
}

interface Sample {
  rssMb: number;
}

function sampleMemory(samples: Sample[]): NodeJS.Timeout {
  return setInterval(() => samples.push({ rssMb: process.memoryUsage().rss / 1_048_576 }), 100);
}

async function publishFrom(url: string): Promise<{ published: number; seconds: number }> {
  const script = join(here, 'ingest-publisher.js');
  const { stdout } = await run(process.execPath, [script, url, String(COUNT), String(CONNECTIONS)], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as { published: number; seconds: number };
}

async function benchDaemon() {
  const root = mkdtempSync(join(tmpdir(), 'cowbell-bench-'));
  const configDir = writeBenchConfig(root);
  let readings = 0;
  const app = await createApp({
    configDir,
    dbPath: join(root, 'bench.db'),
    watchConfig: false,
    readingSteps: [(batch) => (readings += batch.length)],
  });
  await app.start();
  const samples: Sample[] = [];
  const timer = sampleMemory(samples);
  const cpu0 = process.cpuUsage();
  const result = await publishFrom(app.addresses().mqtt);
  const cpu = process.cpuUsage(cpu0);
  clearInterval(timer);
  await app.stop();
  rmSync(root, { recursive: true, force: true });
  return { ...result, readings, cpuSeconds: (cpu.user + cpu.system) / 1e6, samples };
}

async function benchNoopSubscriber() {
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `mqtt://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const subscriber = await mqtt.connectAsync(url, { clientId: 'noop-subscriber' });
  let received = 0;
  subscriber.on('message', () => {
    received += 1;
  });
  await subscriber.subscribeAsync('farms/+/collars/+/telemetry', { qos: 1 });
  const started = performance.now();
  const result = await publishFrom(url);
  while (received < result.published && performance.now() - started < 120_000) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const seconds = (performance.now() - started) / 1000;
  await subscriber.endAsync();
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  server.close();
  return { received, seconds };
}

const daemon = await benchDaemon();
const noop = await benchNoopSubscriber();
const daemonRate = daemon.readings / daemon.seconds;
const noopRate = noop.received / noop.seconds;
const rss = daemon.samples.map((s) => s.rssMb);
const quartile = (q: number) =>
  rss[Math.min(rss.length - 1, Math.floor((rss.length - 1) * q))]?.toFixed(0) ?? '-';

console.log('\ningest benchmark (embedded aedes, QoS 1, PUBACK after the SQLite commit)');
console.log(`  readings published        ${daemon.published}  over ${CONNECTIONS} collar connections`);
console.log(`  readings stored           ${daemon.readings}`);
console.log(
  `  daemon intake             ${daemonRate.toFixed(0)} readings/s  (${daemon.seconds.toFixed(2)} s)`,
);
console.log(`  no-op mqtt.js subscriber  ${noopRate.toFixed(0)} readings/s  (${noop.seconds.toFixed(2)} s)`);
console.log(`  ratio daemon / no-op      ${((daemonRate / noopRate) * 100).toFixed(0)} %  (target >= 60 %)`);
console.log(
  `  daemon CPU                ${daemon.cpuSeconds.toFixed(2)} s  (${((daemon.cpuSeconds / daemon.seconds) * 100).toFixed(0)} % of one core)`,
);
console.log(
  `  daemon RSS MB             peak ${Math.max(...rss).toFixed(0)}; at 25/50/75/100 %: ${[0.25, 0.5, 0.75, 1].map(quartile).join(' / ')}`,
);
