/**
 * Detector quality benchmark (issue 4): simulated herds of several seeds the tests do not use, with
 * the simulator's default scenario mix, replayed through validation and the detector; each raised
 * condition is scored against the simulator's ground truth. Prints the per-kind table with the floors.
 *
 *   npx tsx bench/quality.ts [--cows 200] [--days 21] [--seeds 101,202,303]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateFarmFile } from '../simulator/farm-file.js';
import { type Scenario, scenarioSchema, simulateHerd } from '../simulator/index.js';
import { formatIssues, loadConfigDir } from '../src/config/load.js';
import { buildRegistry, type Registry } from '../src/config/registry.js';
import type { Condition } from '../src/detect/condition.js';
import { createReplayer, type ReplaySummary } from '../src/replay/replay.js';
import {
  type Detection,
  detectionsFromConditions,
  type ScoreReport,
  score,
  showsFrom,
} from '../src/replay/score.js';
import { formatScoreTable } from '../src/replay/score-table.js';
import { parseTruth, type Truth } from '../src/replay/truth.js';

export interface SimulatedFarm {
  dir: string;
  registry: Registry;
  cleanup(): void;
}

/** A temporary config directory with one generated farm, and the registry the daemon builds from it. */
export function simulatedFarm(options: {
  cows: number;
  farmId: string;
  seed: number;
  thresholdsYaml?: string;
}): SimulatedFarm {
  const dir = mkdtempSync(join(tmpdir(), 'cowbell-quality-'));
  mkdirSync(join(dir, 'farms'));
  writeFileSync(join(dir, 'cowbell.yaml'), 'version: 1\n');
  let farmYaml = generateFarmFile({ cows: options.cows, farmId: options.farmId, seed: options.seed });
  if (options.thresholdsYaml !== undefined) farmYaml += `\nthresholds:\n${options.thresholdsYaml}\n`;
  writeFileSync(join(dir, 'farms', `${options.farmId}.yaml`), farmYaml);
  const loaded = loadConfigDir(dir);
  if (!loaded.ok) throw new Error(`generated config is invalid:\n${formatIssues(loaded.issues)}`);
  return {
    dir,
    registry: buildRegistry(loaded.files, {}),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface QualityRun {
  truth: Truth;
  conditions: Condition[];
  detections: Detection[];
  summary: ReplaySummary;
}

/** Simulates one herd and replays it, line by line as a recording would be read. */
export function runSimulatedReplay(options: {
  cows: number;
  days: number;
  seed: number;
  farmId?: string;
  scenario?: Scenario;
  /** YAML lines (indented two spaces) placed under the farm's `thresholds:`. */
  thresholdsYaml?: string;
}): QualityRun {
  const farmId = options.farmId ?? `sim${options.seed}`;
  const farm = simulatedFarm({
    cows: options.cows,
    farmId,
    seed: options.seed,
    ...(options.thresholdsYaml === undefined ? {} : { thresholdsYaml: options.thresholdsYaml }),
  });
  try {
    const run = simulateHerd({
      configDir: farm.dir,
      seed: options.seed,
      days: options.days,
      ...(options.scenario === undefined ? {} : { scenario: options.scenario }),
    });
    const replayer = createReplayer({ registry: farm.registry });
    const conditions: Condition[] = [];
    run.run((_type, _collar, topic, text, json) => {
      const line = json
        ? `{"topic":"${topic}","payload":${text}}`
        : `{"topic":${JSON.stringify(topic)},"payload":${JSON.stringify(text)}}`;
      for (const c of replayer.push(line)) conditions.push(c);
    });
    for (const c of replayer.finish()) conditions.push(c);
    const truth = parseTruth(JSON.parse(JSON.stringify(run.truth)));
    return {
      truth,
      conditions,
      detections: detectionsFromConditions(conditions),
      summary: replayer.summary(),
    };
  } finally {
    farm.cleanup();
  }
}

/** Scores several runs as one (their farm ids differ, so events never mix). */
export function scoreRuns(runs: QualityRun[]): ScoreReport {
  const first = runs[0];
  if (first === undefined) throw new Error('no runs to score');
  const truth: Truth = {
    startTs: first.truth.startTs,
    endTs: first.truth.endTs,
    farms: runs.flatMap((r) => r.truth.farms),
    events: runs.flatMap((r) => r.truth.events),
  };
  return score(
    runs.flatMap((r) => r.detections),
    truth,
  );
}

function main(): void {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
  };
  const cows = Number(arg('cows', '200'));
  const days = Number(arg('days', '21'));
  const seeds = arg('seeds', '101,202,303').split(',').map(Number);
  const runs: QualityRun[] = [];
  for (const seed of seeds) {
    const started = performance.now();
    const run = runSimulatedReplay({ cows, days, seed });
    runs.push(run);
    const s = run.summary;
    console.log(
      `seed ${seed}: ${cows} cows x ${days} days, ${s.readings} readings (${s.lateReadings} late, ${s.duplicates} duplicates dropped), ${run.detections.length} alerts raised, ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  console.log(
    `\nDetector quality on ${seeds.length} simulated herds (seeds ${seeds.join(', ')}), default scenario mix:\n`,
  );
  console.log(formatScoreTable(scoreRuns(runs)));
  console.log(illnessBeforeOnset(runs));
  if (!args.includes('--no-rare')) {
    // The default mix injects few lameness and illness events in 21 days: one more herd with them
    // five times as often (and everything else as usual) gives those rows enough events to mean something.
    const rare = scenarioSchema.parse({ rates: { lameness: 0.015, illness: 0.025 } });
    const seed = 404;
    const run = runSimulatedReplay({ cows, days, seed, scenario: rare });
    console.log(`\nSeed ${seed}, same herd size, lameness and illness injected 5x as often:\n`);
    console.log(formatScoreTable(scoreRuns([run])));
    console.log(illnessBeforeOnset([run]));
    if (args.includes('--misses')) printMisses([run]);
  }
  if (args.includes('--misses')) printMisses(runs);
}

/**
 * The simulator's illness slides for `leadInH` (24-72 h) before its clinical onset; this counts
 * illnesses detected during that slide, and every delay, next to the 12 h deadline of the table.
 */
function illnessBeforeOnset(runs: QualityRun[]): string {
  let events = 0;
  let early = 0;
  const delays: number[] = [];
  for (const run of runs) {
    for (const e of run.truth.events) {
      if (e.kind !== 'illness') continue;
      events++;
      const hit = run.detections.find(
        (d) =>
          d.farmId === e.farm &&
          d.cowId === e.cowId &&
          d.kind === 'illness' &&
          d.raisedTs >= showsFrom(e) - 3_600_000 &&
          d.raisedTs <= e.endTs,
      );
      if (hit === undefined) continue;
      const h = (hit.raisedTs - e.onsetTs) / 3_600_000;
      delays.push(Math.round(h));
      if (h <= 0) early++;
    }
  }
  return `illness detected before its clinical onset (during the subclinical slide): ${early}/${events}; hours after clinical onset: ${delays.sort((a, b) => a - b).join(' ')}`;
}

/** With --misses: each undetected event and each false alert, for tuning. */
function printMisses(runs: QualityRun[]): void {
  for (const run of runs) {
    const report = score(run.detections, run.truth);
    void report;
    for (const e of run.truth.events) {
      const hits = run.detections.filter(
        (d) =>
          d.farmId === e.farm &&
          d.cowId === e.cowId &&
          d.kind === e.kind &&
          d.raisedTs >= showsFrom(e) - 3_600_000 &&
          d.raisedTs <= e.endTs + 7_200_000,
      );
      if (hits.length === 0)
        console.log(
          `MISS ${e.kind} ${e.farm}/${e.cowId} ${new Date(e.onsetTs).toISOString()} ${((e.endTs - e.onsetTs) / 3_600_000).toFixed(1)}h ${JSON.stringify(e.params)}`,
        );
    }
    for (const c of run.conditions) {
      if (c.change !== 'raised') continue;
      const ok = run.truth.events.some(
        (e) =>
          e.farm === c.farmId &&
          e.cowId === c.cowId &&
          e.kind === c.kind &&
          c.raisedTs >= showsFrom(e) - 3_600_000 &&
          c.raisedTs <= e.endTs + 7_200_000,
      );
      if (!ok)
        console.log(
          `FALSE ${c.late ? '(late) ' : ''}${new Date(c.raisedTs).toISOString()} ${c.summary} ${JSON.stringify(c.evidence)}`,
        );
    }
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
