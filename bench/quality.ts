/**
 * Detector quality benchmark (issue 4): simulated herds of several seeds the tests do not use, with
 * the simulator's default scenario mix, replayed through validation and the detector; each raised
 * condition is scored against the simulator's ground truth. Prints the per-kind table with the floors.
 *
 *   npx tsx bench/quality.ts [--cows 200] [--days 21] [--profiles full-1min,...,rare,real]
 *                            [--calving-due-share 0.75] [--tables] [--misses] [--no-rare] [--no-real]
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { generateFarmFile } from '../simulator/farm-file.js';
import {
  COLLAR_PROFILES,
  type CollarProfileName,
  detectableKinds,
  type Scenario,
  type Truth as SimTruth,
  scenarioSchema,
  simulateHerd,
} from '../simulator/index.js';
import { Random } from '../simulator/random.js';
import { formatIssues, loadConfigDir } from '../src/config/load.js';
import { buildRegistry, type Farm, type Registry } from '../src/config/registry.js';
import type { Condition } from '../src/detect/condition.js';
import { farmThresholds } from '../src/detect/thresholds.js';
import { createReplayer, type ReplaySummary } from '../src/replay/replay.js';
import {
  type Detection,
  detectionsFromConditions,
  type ScoreReport,
  score,
  showsFrom,
} from '../src/replay/score.js';
import { formatScoreTable } from '../src/replay/score-table.js';
import { parseTruth, readTruthFile, type Truth } from '../src/replay/truth.js';
import { ALERT_KINDS } from '../src/telemetry/protocol.js';

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
  /** Cows whose farm file gives an expected calving date. */
  dueCows: Set<string>;
}

function reloadRegistry(dir: string): Registry {
  const loaded = loadConfigDir(dir);
  if (!loaded.ok) throw new Error(`config is invalid:\n${formatIssues(loaded.issues)}`);
  return buildRegistry(loaded.files, {});
}

const DAY_MS = 86_400_000;

/**
 * Writes `calvingDue` into the farm file for a share of the cows that calve in the run (the birth's
 * date give or take up to 5 days, as gestation varies) and for as many cows that do not (due 30-90
 * days after the run: pregnant, nowhere near term).
 */
function writeCalvingDates(
  dir: string,
  farmId: string,
  truth: SimTruth,
  share: number,
  seed: number,
  dueCows: Set<string>,
): void {
  const path = join(dir, 'farms', `${farmId}.yaml`);
  const doc = parseDocument(readFileSync(path, 'utf8'));
  const random = new Random(seed * 7 + 3);
  const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const due = new Map<string, string>();
  const calving = truth.events.filter((e) => e.kind === 'calving' && e.cowId !== null);
  for (const e of calving) {
    if (!random.chance(share)) continue;
    const birth = Date.parse(e.onsetTs) + Number(e.params.calvingAfterH ?? 24) * 3_600_000;
    due.set(e.cowId as string, date(birth + Math.round(random.range(-5, 5)) * DAY_MS));
  }
  const calvers = new Set(calving.map((e) => e.cowId));
  const others = (truth.farms[0]?.cows ?? []).filter((c) => !calvers.has(c.cowId));
  for (const c of others.slice(0, due.size)) {
    due.set(c.cowId, date(Date.parse(truth.endTs) + Math.round(random.range(30, 90)) * DAY_MS));
  }
  const cows = doc.get('cows') as YAMLSeq<YAMLMap>;
  for (const cow of cows.items) {
    const d = due.get(String(cow.get('id')));
    if (d === undefined) continue;
    cow.set('calvingDue', d);
    dueCows.add(String(cow.get('id')));
  }
  writeFileSync(path, doc.toString());
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
  /** The collar model every cow wears (default: the 5-min full collar). */
  collar?: CollarProfileName;
  /**
   * Share of the cows that calve in the run whose expected calving date the farm file gives (as a
   * farmer has it from insemination records, a few days off), 0 by default. Some cows that calve
   * later get one too, so the date is also seen keeping alerts off cows nowhere near term.
   */
  calvingDueShare?: number;
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
      ...(options.collar === undefined ? {} : { collar: options.collar }),
    });
    const dueCows = new Set<string>();
    let registry = farm.registry;
    if ((options.calvingDueShare ?? 0) > 0) {
      writeCalvingDates(farm.dir, farmId, run.truth, options.calvingDueShare ?? 0, options.seed, dueCows);
      registry = reloadRegistry(farm.dir);
    }
    const replayer = createReplayer({ registry });
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
      dueCows,
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

/** Profiles of the quality table, each with its own seed (none used by the tests). */
const PROFILE_SEEDS: [CollarProfileName, number][] = [
  ['full-1min', 101],
  ['full-5min', 202],
  ['full-10min', 303],
  ['full-15min', 505],
  ['beef-hourly', 606],
  ['neck-2h', 707],
];
/** Share of calving cows whose farm file has an expected calving date (the rest show the other path). */
const CALVING_DUE_SHARE = 0.75;

/** The events a profile's collar can show, as the bench scores them (see detectableKinds). */
function detectableTruth(run: QualityRun, name: CollarProfileName): Truth {
  const profile = COLLAR_PROFILES[name];
  const kinds = detectableKinds(profile);
  // Without temperature and rumination, only an expected calving date makes calving detectable.
  const calvingNeedsDate = !profile.temperature && !profile.rumination;
  const events = run.truth.events.filter(
    (e) =>
      kinds.has(e.kind) && !(e.kind === 'calving' && calvingNeedsDate && !run.dueCows.has(e.cowId ?? '')),
  );
  return { ...run.truth, events };
}

interface ProfileResult {
  name: CollarProfileName;
  report: ScoreReport;
  alerts: number;
  readings: number;
  seconds: number;
}

function main(): void {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
  };
  const cows = Number(arg('cows', '200'));
  const days = Number(arg('days', '21'));
  const only = arg('profiles', '').split(',').filter(Boolean);
  const dueShare = Number(arg('calving-due-share', String(CALVING_DUE_SHARE)));
  const results: ProfileResult[] = [];
  for (const [name, seed] of PROFILE_SEEDS) {
    if (only.length > 0 && !only.includes(name)) continue;
    const started = performance.now();
    const run = runSimulatedReplay({
      cows,
      days,
      seed,
      farmId: `q-${name}`,
      collar: name,
      calvingDueShare: dueShare,
    });
    const seconds = (performance.now() - started) / 1000;
    const report = score(run.detections, detectableTruth(run, name));
    results.push({ name, report, alerts: run.detections.length, readings: run.summary.readings, seconds });
    console.log(
      `${name} (seed ${seed}): ${cows} cows x ${days} days, ${run.summary.readings} readings, ${run.detections.length} alerts, ${seconds.toFixed(1)} s`,
    );
    if (args.includes('--tables')) console.log(formatScoreTable(report));
    if (args.includes('--misses')) printMisses([run]);
  }
  if (results.length > 0) {
    console.log(`\nDetector quality per collar model, default config (${cows} cows x ${days} days each):\n`);
    console.log(formatProfileTable(results));
  }
  if (!args.includes('--no-rare') && (only.length === 0 || only.includes('rare'))) {
    // The default mix injects few lameness and illness events in 21 days: one more herd with them
    // five times as often (and everything else as usual) gives those rows enough events to mean something.
    const rare = scenarioSchema.parse({ rates: { lameness: 0.015, illness: 0.025 } });
    const seed = 404;
    const run = runSimulatedReplay({ cows, days, seed, scenario: rare, collar: 'full-10min' });
    console.log(`\nSeed ${seed}, 10-min full collars, lameness and illness injected 5x as often:\n`);
    console.log(formatScoreTable(scoreRuns([run])));
    console.log(illnessBeforeOnset([run]));
    if (args.includes('--misses')) printMisses([run]);
  }
  if (!args.includes('--no-real') && (only.length === 0 || only.includes('real'))) {
    void realHerd(arg('real', REAL_HERD_DIR), args.includes('--misses'));
  }
}

/** The real SCR herd shipped with the benchmarks (bench/data/bovheat-scr/NOTICE); `--real DIR` for another. */
const REAL_HERD_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'bench',
  'data',
  'bovheat-scr',
);

/**
 * The real herd: SCR neck tags (2-h activity blocks) of one dairy farm, with SCR's own heat episodes
 * as the truth. An alert from 4 h before to 4 h after an episode counts, as the data set's notes say.
 */
async function realHerd(dir: string, misses: boolean): Promise<void> {
  const recording = join(dir, 'recording.jsonl.gz');
  if (!existsSync(recording)) {
    console.log(`\nreal herd: ${recording} not found (pass --real DIR): skipped`);
    return;
  }
  const config = mkdtempSync(join(tmpdir(), 'cowbell-real-'));
  try {
    mkdirSync(join(config, 'farms'));
    writeFileSync(join(config, 'cowbell.yaml'), 'version: 1\n');
    copyFileSync(join(dir, 'farm.yaml'), join(config, 'farms', 'farm.yaml'));
    const registry = reloadRegistry(config);
    const replayer = createReplayer({ registry });
    const conditions: Condition[] = [];
    const started = performance.now();
    const lines = gunzipSync(readFileSync(recording)).toString('utf8').split('\n');
    for (const line of lines) if (line !== '') for (const c of replayer.push(line)) conditions.push(c);
    for (const c of replayer.finish()) conditions.push(c);
    const seconds = (performance.now() - started) / 1000;
    const summary = replayer.summary();
    const truth = readTruthFile(join(dir, 'truth.json'), {
      startTs: summary.firstTs ?? 0,
      endTs: summary.lastTs ?? 0,
      farms: [...registry.farms.values()].map((f) => ({
        id: f.id,
        cows: [...f.cows.values()].map((c) => ({ cowId: c.id })),
      })),
    });
    const detections = detectionsFromConditions(conditions);
    const window = { beforeOnsetMs: 4 * HOUR_MS, afterEndMs: 4 * HOUR_MS };
    const report = score(detections, truth, window);
    const k = report.kinds;
    // No cow has a normal in the recording's first warmupHours (72 h by default): episodes that start
    // then cannot be found by any baseline-relative rule, so they are scored apart as well.
    const warmEnd =
      (summary.firstTs ?? 0) + farmThresholds([...registry.farms.values()][0] as Farm).warmupHours * HOUR_MS;
    const afterWarmup = score(
      detections.filter((d) => d.raisedTs >= warmEnd - window.beforeOnsetMs),
      { ...truth, startTs: warmEnd, events: truth.events.filter((e) => e.onsetTs >= warmEnd) },
      window,
    ).kinds.heat;
    console.log(
      `\nReal herd: ${dir.split('/').slice(-1)[0]} (SCR neck tags, 2-h activity blocks), ${summary.readings} readings, ${seconds.toFixed(1)} s, default config:\n`,
    );
    console.log(
      [
        `heat, all episodes: ${k.heat.detectedAnyTime} of ${k.heat.events} SCR heat episodes found (recall ${fmt(k.heat.detectedAnyTime / k.heat.events)}), ${k.heat.detections} heat alerts, precision ${fmt(k.heat.precision)}`,
        `heat, episodes after the first 72 h (warm-up): ${afterWarmup.detectedAnyTime} of ${afterWarmup.events} found (recall ${fmt(afterWarmup.detectedAnyTime / afterWarmup.events)}, target 0.80), precision ${fmt(afterWarmup.precision)} (target 0.70)`,
        `calving: ${k.calving.detectedAnyTime} of ${k.calving.events} calving days with a calving alert (no due dates in this farm file; several calve before any baseline exists)`,
        `collar-offline alerts: ${k['collar-offline'].detections}; sensor-fault alerts: ${k['sensor-fault'].detections} (target 0 caused by the 2-h cadence)`,
        `other alerts: ${
          ALERT_KINDS.filter(
            (x) => !['heat', 'calving', 'collar-offline', 'sensor-fault'].includes(x) && k[x].detections > 0,
          )
            .map((x) => `${x} ${k[x].detections}`)
            .join(', ') || 'none'
        }`,
      ].join('\n'),
    );
    if (misses) printMisses([{ truth, conditions, detections, summary, dueCows: new Set() }]);
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
}

const HOUR_MS = 3_600_000;
const fmt = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(2));

/** One row per kind, one column per collar model: recall (events), then false alerts and wrong kinds. */
function formatProfileTable(results: ProfileResult[]): string {
  const head = ['kind', ...results.map((r) => r.name)];
  const rows: string[][] = [];
  for (const kind of ALERT_KINDS) {
    const cells = results.map((r) => {
      const s = r.report.kinds[kind];
      return s.events === 0 ? '-' : `${fmt(s.recall)} (${s.detected}/${s.events})`;
    });
    if (cells.some((c) => c !== '-')) rows.push([kind, ...cells]);
  }
  rows.push(['false per 100 cow-days', ...results.map((r) => r.report.falseAlertsPer100CowDays.toFixed(2))]);
  rows.push([
    'wrong kind, % of alerts',
    ...results.map(
      (r) => `${((100 * r.report.consequentialFalseAlerts) / Math.max(1, r.alerts)).toFixed(1)}`,
    ),
  ]);
  rows.push([
    'calving -> illness',
    ...results.map((r) => String(r.report.wrongKind['calving -> illness'] ?? 0)),
  ]);
  rows.push(['readings/s (sim + replay)', ...results.map((r) => String(Math.round(r.readings / r.seconds)))]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
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
