#!/usr/bin/env node
/**
 * `npm run sim -- <options>`: simulate a herd into a recording and/or live onto an MQTT broker.
 * Bad arguments print one line and exit 2; a broker that cannot be reached exits 1.
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { COLLAR_PROFILE_NAMES, type CollarProfileName } from './collar-profiles.js';
import { generateFarmFile } from './farm-file.js';
import { HerdError } from './herd.js';
import { DEFAULT_START, loadHerd, type SimulatedRun, simulateHerd } from './index.js';
import { LiveError, runLive } from './live.js';
import { PlanError } from './plan.js';
import { Progress } from './progress.js';
import { RecordingWriter } from './recorder.js';
import { ScenarioError } from './scenario.js';

const HELP = `Cowbell collar simulator: a realistic herd, injected events with ground truth, accelerated time.

Usage:
  npm run sim -- --farm demo --cows 200 --broker mqtt://127.0.0.1:1883 --speed 60
  npm run sim -- --farm demo --days 21 --record herd.jsonl --truth truth.json --seed 7
  npm run sim -- --generate-farm 500 --out config/farms/big.yaml [--farm-id big]

Herd:
  --config DIR        config folder holding farms/ (default: config)
  --farm ID|FILE      farm id in DIR/farms, or a farm YAML file (default: every farm in DIR)
  --cows N            cows per farm; extra cows and collars are generated (SIM-NNNN), surplus dropped
Run:
  --seed N            random seed; same seed and options give the same bytes (default 1)
  --days N            simulated days (default 1; live at --speed 1 runs 365 days unless set)
  --start TIME        RFC 3339 start (recording default ${DEFAULT_START}; live default: now, or
                      now minus --days when accelerated so readings are never in the future)
  --interval S        reading interval of a full collar, 60 or 300 seconds (default 300)
  --collar MODEL      the collar every cow wears: ${COLLAR_PROFILE_NAMES.join(', ')}
                      (default full-5min; see simulator/README.md "Collar models")
  --scenario FILE     scenario YAML (rates, events at set times, delivery faults); see simulator/README.md
  --normal            a normal herd: nothing injected, no benign changes, no delivery faults
Output:
  --record FILE       write the recording (JSON Lines {"topic","payload"}, arrival order)
  --truth FILE        write the ground truth JSON (injected events, benign events, delivery faults)
  --broker URL        publish live (mqtt://, mqtts://, ws://, wss://), QoS 1
  --speed N|max       simulated seconds per second (default 1); max: as fast as the broker acks
  --multiplex N       N shared connections per farm credential instead of one per collar
  --max-in-flight N   unacknowledged publishes allowed at once (default 1000)
  --quiet             no progress lines
Other:
  --generate-farm N   write a farm file for N cows to --out (use --farm-id, --seed) and exit
  --out FILE          where --generate-farm writes
  --farm-id ID        farm id for --generate-farm (default sim)
  -h, --help          this help
`;

class UsageError extends Error {
  override name = 'UsageError';
}

const OPTIONS = {
  config: { type: 'string' },
  farm: { type: 'string' },
  cows: { type: 'string' },
  seed: { type: 'string' },
  days: { type: 'string' },
  start: { type: 'string' },
  interval: { type: 'string' },
  collar: { type: 'string' },
  scenario: { type: 'string' },
  normal: { type: 'boolean' },
  record: { type: 'string' },
  truth: { type: 'string' },
  broker: { type: 'string' },
  speed: { type: 'string' },
  multiplex: { type: 'string' },
  'max-in-flight': { type: 'string' },
  quiet: { type: 'boolean' },
  'generate-farm': { type: 'string' },
  out: { type: 'string' },
  'farm-id': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

export async function main(argv: string[]): Promise<number> {
  let values: Values;
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    return usage((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    if (values['generate-farm'] !== undefined) return generate(values);
    return await simulate(values);
  } catch (err) {
    if (
      err instanceof UsageError ||
      err instanceof HerdError ||
      err instanceof ScenarioError ||
      err instanceof PlanError
    ) {
      return usage(err.message);
    }
    if (err instanceof LiveError) {
      process.stderr.write(`sim: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

function generate(values: Values): number {
  const cows = integer(values['generate-farm'] ?? '', '--generate-farm', 1);
  if (!values.out) throw new UsageError('--generate-farm needs --out FILE');
  const options: Parameters<typeof generateFarmFile>[0] = {
    cows,
    seed: integer(values.seed ?? '1', '--seed', 0),
  };
  if (values['farm-id'] !== undefined) options.farmId = values['farm-id'];
  const out = values.out;
  writeFileSync(out, generateFarmFile(options));
  process.stderr.write(`sim: wrote ${out} (${cows} cows)\n`);
  return 0;
}

async function simulate(values: Values): Promise<number> {
  if (!values.record && !values.broker && !values.truth) {
    throw new UsageError('nothing to do: give --record FILE, --truth FILE and/or --broker URL (see --help)');
  }
  if (values.normal && values.scenario) throw new UsageError('--normal and --scenario exclude each other');
  const interval = integer(values.interval ?? '300', '--interval', 1);
  if (interval !== 60 && interval !== 300)
    throw new UsageError(`--interval must be 60 or 300 (got ${interval})`);
  const collar = values.collar;
  if (collar !== undefined && !(COLLAR_PROFILE_NAMES as string[]).includes(collar))
    throw new UsageError(`--collar must be one of ${COLLAR_PROFILE_NAMES.join(', ')} (got "${collar}")`);
  if (collar !== undefined && values.interval !== undefined)
    throw new UsageError('--collar and --interval exclude each other (a collar model has its own interval)');
  const speed = parseSpeed(values.speed ?? '1');
  const live = values.broker !== undefined;
  if (live && !/^(mqtt|mqtts|ws|wss):\/\//.test(values.broker ?? '')) {
    throw new UsageError(
      `--broker must be an mqtt://, mqtts://, ws:// or wss:// URL (got "${values.broker}")`,
    );
  }
  const days = values.days !== undefined ? positive(values.days, '--days') : live && speed === 1 ? 365 : 1;
  const start = parseStart(values.start, live, speed, days);

  const herd = loadHerd(herdOptions(values));
  for (const warning of herd.warnings) {
    process.stderr.write(`sim: warning: the daemon would reject ${warning} (simulating anyway)\n`);
  }
  const generated = herd.collars.filter((c) => c.generated).length;
  if (generated > 0)
    process.stderr.write(`sim: generated ${generated} extra cows with collars SIM-NNNN to reach --cows\n`);
  if (herd.skippedWithoutCollar > 0) {
    process.stderr.write(
      `sim: ${herd.skippedWithoutCollar} cows in the farm files wear no collar and are skipped\n`,
    );
  }
  if (herd.collars.length === 0)
    throw new UsageError('the herd has no collared cows (add collars or pass --cows N)');

  const scenario = values.normal ? 'normal' : values.scenario;
  const run = simulateHerd({
    herd,
    ...(scenario !== undefined ? { scenario } : {}),
    seed: integer(values.seed ?? '1', '--seed', 0),
    start,
    days,
    intervalS: interval,
    ...(collar !== undefined ? { collar: collar as CollarProfileName } : {}),
  });
  const sim = run.simulation;
  const progress = values.quiet ? undefined : new Progress();
  const snapshot = () => ({
    simTs: Math.min(sim.end, sim.t - sim.intervalS * 1000),
    startTs: sim.start,
    endTs: sim.end,
    readings: sim.readings,
    messages: sim.messages,
  });

  if (!live) {
    if (values.record) run.writeRecording(values.record, () => progress?.update(snapshot()));
    else run.run(() => undefined);
  } else {
    const writer = values.record ? new RecordingWriter(values.record, herd) : undefined;
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const multiplex =
        values.multiplex === undefined ? undefined : integer(values.multiplex, '--multiplex', 1);
      await runLive({
        run: writer ? tee(run, writer) : run,
        broker: values.broker as string,
        speed,
        ...(multiplex !== undefined ? { multiplex } : {}),
        maxInFlight: integer(values['max-in-flight'] ?? '1000', '--max-in-flight', 1),
        signal: controller.signal,
        ...(speed === 1 && values.start === undefined ? { origin: start } : {}),
        onProgress: () => progress?.update(snapshot()),
      });
    } finally {
      writer?.close();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  }
  progress?.done(snapshot());
  if (values.truth) writeFileSync(values.truth, `${JSON.stringify(run.truth, null, 2)}\n`);
  const t = run.truth;
  process.stderr.write(
    `sim: ${sim.readings} readings, ${sim.messages} messages; injected ${t.events.length} events, ${t.benign.length} benign\n`,
  );
  return 0;
}

/** Records every message the live run publishes, in the order it is handed to the publisher. */
function tee(run: SimulatedRun, writer: RecordingWriter): SimulatedRun {
  return {
    ...run,
    *ticks() {
      for (const tick of run.ticks()) {
        for (const m of tick.messages) writer.emit(m.type, m.collar, m.topic, m.payload, m.json, m.retain);
        yield tick;
      }
    },
  };
}

function herdOptions(values: Values): Parameters<typeof loadHerd>[0] {
  const options: Parameters<typeof loadHerd>[0] = { configDir: values.config ?? 'config' };
  if (values.farm !== undefined) options.farm = values.farm;
  if (values.cows !== undefined) options.cows = integer(values.cows, '--cows', 1);
  return options;
}

function parseStart(text: string | undefined, live: boolean, speed: number | 'max', days: number): number {
  if (text !== undefined) {
    const ms = Date.parse(text);
    if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
      throw new UsageError(`--start must be an RFC 3339 time such as ${DEFAULT_START} (got "${text}")`);
    }
    return ms;
  }
  if (!live) return Date.parse(DEFAULT_START);
  // Accelerated live runs end at about now, so the daemon never sees readings from the future.
  return speed === 1 ? Date.now() : Date.now() - days * 86_400_000;
}

function parseSpeed(text: string): number | 'max' {
  if (text === 'max') return 'max';
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--speed must be a positive number or "max" (got "${text}")`);
  return n;
}

function integer(text: string, name: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${name} must be an integer >= ${min} (got "${text}")`);
  return n;
}

function positive(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`${name} must be a positive number (got "${text}")`);
  return n;
}

function usage(message: string): number {
  process.stderr.write(`sim: ${message} (see --help)\n`);
  return 2;
}

/** True when this file is the program (tsx simulator/cli.ts or node dist/simulator/cli.js), not imported. */
function isEntry(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntry()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`sim: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
