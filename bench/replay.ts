/**
 * Replay and detector performance (issue 4): readings per second on one core from a recording
 * (parse, validate, dedup, detect), detector state bytes per cow at 100,000 cows, and memory over a
 * 30-day 1,000-cow replay (it must stay flat). Run compiled for real numbers (tsx adds overhead):
 *
 *   node --expose-gc dist/bench/replay.js [--cows 1000] [--days 30] [--only speed|state|memory]
 */
import { pathToFileURL } from 'node:url';
import { simulateHerd } from '../simulator/index.js';
import { buildRegistry } from '../src/config/registry.js';
import { daemonConfigSchema, farmFileSchema } from '../src/config/schema.js';
import { createDetector } from '../src/detect/detector.js';
import { createReplayer } from '../src/replay/replay.js';
import { simulatedFarm } from './quality.js';

const line = (topic: string, text: string, json: boolean) =>
  json
    ? `{"topic":"${topic}","payload":${text}}`
    : `{"topic":${JSON.stringify(topic)},"payload":${JSON.stringify(text)}}`;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Readings per second through createReplayer over a recording held in memory. */
function measureSpeed(cows: number, days: number): void {
  const farm = simulatedFarm({ cows, farmId: 'speed', seed: 9 });
  const lines: string[] = [];
  simulateHerd({ configDir: farm.dir, seed: 9, days }).run((_t, _c, topic, text, json) => {
    lines.push(line(topic, text, json));
  });
  // First pass warms the JIT and the baselines; the second is timed on a fresh replayer.
  for (const pass of ['warm-up', 'timed']) {
    const replayer = createReplayer({ registry: farm.registry });
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    for (const l of lines) replayer.push(l);
    replayer.finish();
    const cpu = process.cpuUsage(cpu0);
    const s = (performance.now() - started) / 1000;
    // CPU seconds too: on a shared machine the wall clock also counts time spent waiting for a core.
    const cpuS = (cpu.user + cpu.system) / 1e6;
    const n = replayer.summary().readings;
    if (pass === 'timed') {
      const rate = (x: number) => Math.round(n / x).toLocaleString('en');
      console.log(
        `replay speed: ${n} readings (${lines.length} lines, ${cows} cows x ${days} days): ${rate(s)} readings/s wall (${s.toFixed(2)} s), ${rate(cpuS)} readings per CPU-second (target 300,000 on one core)`,
      );
    }
  }
  farm.cleanup();
}

/** Detector state per cow with 100,000 cows, each fed a day of readings. */
function measureState(cows: number): void {
  const farm = farmFileSchema.parse({
    version: 1,
    farm: {
      id: 'big',
      name: 'Big',
      timezone: 'UTC',
      pasture: [
        [0, 0],
        [0, 1],
        [1, 1],
        [1, 0],
      ],
    },
    cows: Array.from({ length: cows }, (_, i) => ({
      id: `c${i}`,
      name: `Cow ${i}`,
      tag: String(i),
      collar: `K${i}`,
    })),
  });
  const registry = buildRegistry(
    {
      daemon: daemonConfigSchema.parse({ version: 1 }),
      farms: [{ file: 'big.yaml', farm }],
      hash: 'x',
      dir: '.',
    },
    {},
  );
  gc();
  const before = process.memoryUsage();
  const detector = createDetector({ registry });
  const t0 = Date.UTC(2026, 2, 2);
  for (let k = 0; k < 24; k++) {
    const ts = t0 + k * 3_600_000;
    for (let i = 0; i < cows; i++) {
      detector.observe({
        farmId: 'big',
        collarId: `K${i}`,
        cowId: `c${i}`,
        ts,
        seq: k,
        intervalS: 3600,
        activity: 500 + (i % 7),
        ruminationMin: 25,
        eatingMin: 15,
        temperatureC: 38.5 + (i % 5) / 10,
        battery: 0.9,
        lat: 0.5,
        lon: 0.5,
      });
    }
    detector.tick(ts);
  }
  gc();
  const after = process.memoryUsage();
  const bytes = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
  console.log(
    `detector state: ${cows.toLocaleString('en')} cows, ${Math.round(bytes / cows)} bytes per cow measured (heap + typed arrays; target <= 2048), stats() says ${Math.round(detector.stats().approxStateBytes / cows)}`,
  );
  // Every cow had a reading: the snapshot the daemon writes every 30 s at its largest.
  const snapStarted = performance.now();
  const states = detector.takeDirtyStates();
  const snapMs = performance.now() - snapStarted;
  const snapBytes = states.reduce((sum, [, state]) => sum + state.length, 0);
  console.log(
    `detector snapshot: ${cows.toLocaleString('en')} cows in ${snapMs.toFixed(0)} ms, ${(snapBytes / 1e6).toFixed(1)} MB (${Math.round(snapBytes / cows)} bytes per cow)`,
  );
}

/** Heap over a long replay, sampled once per simulated day. */
function measureMemory(cows: number, days: number): void {
  const farm = simulatedFarm({ cows, farmId: 'mem', seed: 10 });
  const replayer = createReplayer({ registry: farm.registry });
  const run = simulateHerd({ configDir: farm.dir, seed: 10, days });
  const samples: string[] = [];
  let nextDay = Number.NEGATIVE_INFINITY;
  const started = performance.now();
  run.run((_t, _c, topic, text, json) => {
    replayer.push(line(topic, text, json));
    const now = replayer.summary().lastTs;
    if (now !== null && now >= nextDay) {
      nextDay = now + 86_400_000;
      gc();
      const m = process.memoryUsage();
      samples.push(`${samples.length}:${Math.round((m.heapUsed + m.arrayBuffers) / 1048576)}`);
    }
  });
  const s = replayer.summary();
  console.log(
    `memory over ${days} days x ${cows} cows (${s.readings} readings, ${((performance.now() - started) / 1000).toFixed(0)} s incl. simulation), MiB heap+buffers per day: ${samples.join(' ')}`,
  );
  farm.cleanup();
}

function main(): void {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
  };
  const only = arg('only', 'all');
  if (only === 'all' || only === 'speed')
    measureSpeed(Number(arg('speed-cows', '500')), Number(arg('speed-days', '3')));
  if (only === 'all' || only === 'state') measureState(Number(arg('state-cows', '100000')));
  if (only === 'all' || only === 'memory')
    measureMemory(Number(arg('cows', '1000')), Number(arg('days', '30')));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
