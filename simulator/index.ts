/**
 * The simulator's programmatic API, for the detector's quality benchmark, the daemon demo and tests:
 * build a herd, simulate it, and consume the messages (ticks, recording lines or a file) plus truth.
 */
import type { RecordingLine } from '../src/telemetry/protocol.js';
import { COLLAR_PROFILES, type CollarProfileName } from './collar-profiles.js';
import { buildHerd, findFarms, type Herd } from './herd.js';
import { RecordingWriter } from './recorder.js';
import { defaultScenario, normalScenario, readScenarioFile, type Scenario } from './scenario.js';
import { type Emit, HerdSimulation, type MessageType } from './simulation.js';
import type { Truth } from './truth.js';

export type { CollarProfile, CollarProfileName } from './collar-profiles.js';
export { COLLAR_PROFILE_NAMES, COLLAR_PROFILES, detectableKinds } from './collar-profiles.js';
export type { Herd, SimCollar, SimFarm } from './herd.js';
export { buildHerd, findFarms, HerdError, readFarmFile } from './herd.js';
export type { Scenario } from './scenario.js';
export { defaultScenario, normalScenario, readScenarioFile, scenarioSchema } from './scenario.js';
export type { Emit, MessageType } from './simulation.js';
export { HerdSimulation } from './simulation.js';
export type { BenignEvent, LateBatch, Truth, TruthEvent } from './truth.js';

/** Recordings start here unless told otherwise, so runs are reproducible byte for byte. */
export const DEFAULT_START = '2026-03-02T00:00:00Z';

export interface LoadHerdOptions {
  /** Folder holding cowbell.yaml and farms/ (default `config`). */
  configDir?: string;
  /** Farm id in the config dir, or a farm file path; default every farm. */
  farm?: string;
  /** Cows per farm: extra cows are generated, surplus ones dropped. */
  cows?: number;
}

export function loadHerd(options: LoadHerdOptions = {}): Herd {
  return buildHerd(findFarms(options.configDir ?? 'config', options.farm), options.cows);
}

export interface SimulateHerdOptions extends LoadHerdOptions {
  /** A ready herd; otherwise one is loaded with the LoadHerdOptions. */
  herd?: Herd;
  /** A parsed scenario, a scenario file path, or 'normal' (nothing injected). Default: the default mix. */
  scenario?: Scenario | string;
  seed?: number;
  start?: number | string | Date;
  days?: number;
  /** A full collar reporting every 60 or 300 s; `collar` picks any other model. */
  intervalS?: 60 | 300;
  /** The collar model every cow wears (see simulator/collar-profiles.ts); overrides `intervalS`. */
  collar?: CollarProfileName;
}

/** One message as it arrives. `payload` is the exact MQTT payload text. */
export interface SimMessage {
  type: MessageType;
  /** Index into herd.collars; -1 for a message from a collar the herd does not have. */
  collar: number;
  topic: string;
  payload: string;
  /** False when the payload is not JSON (status words, truncated messages). */
  json: boolean;
  retain: boolean;
}

/** The messages of one interval, arriving at event time `ts` (Unix ms). */
export interface SimTick {
  ts: number;
  messages: SimMessage[];
}

export interface SimulatedRun {
  herd: Herd;
  simulation: HerdSimulation;
  /** Events and benign events are complete at once; `delivery` fills in as messages are generated. */
  truth: Truth;
  ticks(): Generator<SimTick>;
  /** Recording lines (payload parsed when it is JSON, else the raw text). Convenient, not fast. */
  lines(): Generator<RecordingLine>;
  /** Runs the whole simulation into a JSON Lines file; fast path. */
  writeRecording(
    path: string,
    onProgress?: (sim: HerdSimulation) => void,
  ): { lines: number; bytes: number; readings: number };
  /** Runs the whole simulation into any Emit callback; fastest path. */
  run(emit: Emit): void;
}

export function simulateHerd(options: SimulateHerdOptions = {}): SimulatedRun {
  const herd = options.herd ?? loadHerd(options);
  const simulation = new HerdSimulation({
    herd,
    scenario: resolveScenario(options.scenario),
    seed: options.seed ?? 1,
    start: toMs(options.start ?? DEFAULT_START),
    days: options.days ?? 1,
    intervalS: options.intervalS ?? 300,
    ...(options.collar === undefined ? {} : { collar: COLLAR_PROFILES[options.collar] }),
  });
  return {
    herd,
    simulation,
    truth: simulation.truth,
    *ticks() {
      while (!simulation.done) {
        const ts = simulation.t;
        const messages: SimMessage[] = [];
        simulation.step((type, collar, topic, payload, json, retain) => {
          messages.push({ type, collar, topic, payload, json, retain });
        });
        yield { ts, messages };
      }
    },
    *lines() {
      for (const tick of this.ticks()) {
        for (const m of tick.messages) {
          yield { topic: m.topic, payload: m.json ? (JSON.parse(m.payload) as unknown) : m.payload };
        }
      }
    },
    writeRecording(path, onProgress) {
      const writer = new RecordingWriter(path, herd);
      try {
        let n = 0;
        while (simulation.step(writer.emit, writer.sink)) {
          if (onProgress && ++n % 64 === 0) onProgress(simulation);
        }
      } finally {
        writer.close();
      }
      onProgress?.(simulation);
      return { lines: writer.lines, bytes: writer.bytes, readings: simulation.readings };
    },
    run(emit) {
      simulation.run(emit);
    },
  };
}

function resolveScenario(scenario: Scenario | string | undefined): Scenario {
  if (scenario === undefined) return defaultScenario();
  if (scenario === 'normal') return normalScenario();
  if (typeof scenario === 'string') return readScenarioFile(scenario);
  return scenario;
}

function toMs(value: number | string | Date): number {
  const ms =
    typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : value.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`start is not a date: ${String(value)}`);
  return ms;
}
