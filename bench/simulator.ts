/**
 * Simulator benchmark (issue 3): generation rate to a file (target >= 500,000 readings/s on one core)
 * and live publishing to a local aedes broker (2,000 collars at 1 reading/min, real time: CPU share),
 * plus the --speed max throughput. Prints a table; no assertions.
 *
 *   npx tsx bench/simulator.ts [--cows 1000] [--days 21] [--live-collars 2000] [--live-seconds 120]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadHerd, normalScenario, simulateHerd } from '../simulator/index.js';
import { runLive } from '../simulator/live.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1] ?? fallback) : fallback;
};

interface Row {
  what: string;
  value: string;
  note: string;
}

function measure<T>(fn: () => T): { result: T; wallS: number; cpuS: number } {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const result = fn();
  const used = process.cpuUsage(cpu);
  return { result, wallS: (performance.now() - wall) / 1000, cpuS: (used.user + used.system) / 1e6 };
}

function generation(cows: number, days: number): Row[] {
  const dir = mkdtempSync(join(tmpdir(), 'cowbell-bench-sim-'));
  try {
    const herd = loadHerd({ configDir: 'config', farm: 'demo', cows });
    // /dev/null isolates generation + formatting; the temp file adds the disk.
    const devNull = measure(() => simulateHerd({ herd, seed: 1, days }).writeRecording('/dev/null'));
    const file = measure(() => simulateHerd({ herd, seed: 1, days }).writeRecording(join(dir, 'herd.jsonl')));
    const bare = measure(() => {
      const run = simulateHerd({ herd, seed: 1, days });
      run.run(() => undefined);
      return run.simulation.readings;
    });
    const r = file.result.readings;
    return [
      {
        what: `record ${cows} cows x ${days} d @300 s to /dev/null`,
        value: `${Math.round(r / devNull.wallS).toLocaleString('en')} readings/s`,
        note: `${devNull.wallS.toFixed(1)} s (cpu ${devNull.cpuS.toFixed(1)} s: ${Math.round(r / devNull.cpuS).toLocaleString('en')} readings per cpu-second)`,
      },
      {
        what: '  the same to a temp file',
        value: `${Math.round(r / file.wallS).toLocaleString('en')} readings/s`,
        note: `${r.toLocaleString('en')} readings, ${(file.result.bytes / 1e6).toFixed(0)} MB in ${file.wallS.toFixed(1)} s (cpu ${file.cpuS.toFixed(1)} s)`,
      },
      {
        what: '  run(emit) callback path, text per message',
        value: `${Math.round(bare.result / bare.wallS).toLocaleString('en')} readings/s`,
        note: `cpu ${bare.cpuS.toFixed(1)} s`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** aedes in its own process, so the CPU measured here is the simulator's alone. */
async function startBroker(): Promise<{ url: string; child: ChildProcess }> {
  const script = `import { Aedes } from 'aedes'; import { createServer } from 'node:net';
const broker = await Aedes.createBroker(); const server = createServer(broker.handle);
server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve) =>
    child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  return { url: `mqtt://127.0.0.1:${port}`, child };
}

async function live(collars: number, seconds: number): Promise<Row[]> {
  const { url, child } = await startBroker();
  try {
    const herd = loadHerd({ configDir: 'config', farm: 'demo', cows: collars });
    // Real time: 1 reading/min per collar for `seconds` of simulated (= wall) time, one connection each.
    const start = Date.now();
    const realtime = simulateHerd({
      herd,
      scenario: normalScenario(),
      seed: 1,
      intervalS: 60,
      days: seconds / 86_400,
      start,
    });
    const connectStart = performance.now();
    let connectedAt = 0;
    let cpuAtConnect = process.cpuUsage();
    const stats = await runLive({
      run: realtime,
      broker: url,
      speed: 1,
      origin: start,
      onConnected: () => {
        connectedAt = performance.now();
        cpuAtConnect = process.cpuUsage();
      },
    });
    const cpu = process.cpuUsage(cpuAtConnect);
    const wall = (performance.now() - connectedAt) / 1000;
    const cpuShare = ((cpu.user + cpu.system) / 1e6 / wall) * 100;
    const rows: Row[] = [
      {
        what: `live ${collars} collars, 1 reading/min, real time`,
        value: `${cpuShare.toFixed(1)}% of one core`,
        note: `${stats.acked} acked / ${stats.published} published in ${wall.toFixed(0)} s; ${collars} connections opened in ${((connectedAt - connectStart) / 1000).toFixed(1)} s`,
      },
    ];
    // As fast as the broker acknowledges, 200 collars over 2 simulated days.
    const fast = simulateHerd({
      herd: loadHerd({ configDir: 'config', farm: 'demo', cows: 200 }),
      seed: 2,
      days: 2,
    });
    const t0 = performance.now();
    const max = await runLive({ run: fast, broker: url, speed: 'max', multiplex: 4 });
    const s = (performance.now() - t0) / 1000;
    rows.push({
      what: 'live --speed max, 200 collars, --multiplex 4',
      value: `${Math.round(max.acked / s).toLocaleString('en')} msg/s`,
      note: `${max.acked} acked in ${s.toFixed(1)} s (QoS 1, in-flight <= 1000)`,
    });
    return rows;
  } finally {
    child.kill();
  }
}

export async function main(): Promise<void> {
  const rows = [
    ...generation(arg('cows', 1000), arg('days', 21)),
    ...(await live(arg('live-collars', 2000), arg('live-seconds', 120))),
  ];
  const w = Math.max(...rows.map((r) => r.what.length));
  const v = Math.max(...rows.map((r) => r.value.length));
  console.log('\nCollar simulator');
  for (const r of rows) console.log(`  ${r.what.padEnd(w)}  ${r.value.padStart(v)}  ${r.note}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
