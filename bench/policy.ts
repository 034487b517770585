/**
 * Alert policy benchmark (issue 5): a simulated herd (default 200 cows, 21 days, the simulator's
 * default scenario mix) replayed through validation and the detector, and the detector's conditions
 * through the alert policy in event time, ticked every 10 s, with the daily digest at 07:00 local.
 * Contacts as in config/farms/demo.yaml: a herdsman (quiet 21:00-05:30), an owner, a vet (fever,
 * illness, calving, lameness). Contacts answer like people: most critical messages are
 * acknowledged within minutes, about half of the warnings (seeded, `--no-acks` to switch off).
 *
 * Prints messages per contact per day, the share of alerts that reached someone in time, what was
 * folded or suppressed and why, and alerts nobody heard of (must be 0).
 *
 *   npx tsx bench/policy.ts [--cows 200] [--days 21] [--seed 404] [--collar MODEL] [--source detector|truth] [--no-acks]
 *                           [--policy '{"severities":{"warning":{"groupWaitSeconds":1800}}}']
 *
 * `--source truth` skips the detector and raises each injected event of the simulator's ground
 * truth as a condition (a fallback when the detector is not usable).
 */
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { generateFarmFile } from '../simulator/farm-file.js';
import { type CollarProfileName, simulateHerd } from '../simulator/index.js';
import { formatDeliveryReport, summarizeDelivery } from '../src/alerts/delivery-report.js';
import { nextLocalTime } from '../src/alerts/local-time.js';
import type { Notification } from '../src/alerts/notification.js';
import { createAlertPolicy } from '../src/alerts/policy.js';
import { buildRegistry, type Registry } from '../src/config/registry.js';
import { daemonConfigSchema, farmFileSchema } from '../src/config/schema.js';
import type { Condition } from '../src/detect/condition.js';
import { createReplayer } from '../src/replay/replay.js';
import type { AlertKind, AlertMessage, Severity } from '../src/telemetry/protocol.js';
import { simulatedFarm } from './quality.js';

const TICK_MS = 10_000;
const CONTACTS = [
  {
    id: 'ravi',
    name: 'Ravi',
    phone: '+923001234567',
    language: 'ur',
    role: 'herdsman',
    optedIn: true,
    quietHours: { start: '21:00', end: '05:30' },
  },
  { id: 'ana', name: 'Ana', phone: '+5511987654321', language: 'pt', role: 'owner', optedIn: true },
  {
    id: 'dr-singh',
    name: 'Dr Singh',
    phone: '+919812345678',
    language: 'hi',
    role: 'vet',
    optedIn: true,
    kinds: ['fever', 'illness', 'calving', 'lameness'],
  },
];

interface ConditionSource {
  startMs: number;
  endMs: number;
  /** Conditions in arrival order, with the stream's event time when they came out. */
  batches(): Iterable<{ ts: number; conditions: Condition[] }>;
}

/** The real path: simulator messages -> validation -> detector, as `cowbell replay` runs it. */
function detectorSource(
  args: { cows: number; days: number; seed: number; collar?: CollarProfileName | undefined },
  farmId: string,
): ConditionSource {
  const sim = simulatedFarm({ cows: args.cows, farmId, seed: args.seed });
  const run = simulateHerd({
    configDir: sim.dir,
    seed: args.seed,
    days: args.days,
    ...(args.collar === undefined ? {} : { collar: args.collar }),
  });
  const replayer = createReplayer({ registry: sim.registry });
  return {
    startMs: Date.parse(run.truth.startTs),
    endMs: Date.parse(run.truth.endTs),
    *batches() {
      try {
        for (const tick of run.ticks()) {
          const conditions: Condition[] = [];
          for (const m of tick.messages) {
            const payload = m.json ? m.payload : JSON.stringify(m.payload);
            conditions.push(...replayer.push(`{"topic":${JSON.stringify(m.topic)},"payload":${payload}}`));
          }
          yield { ts: tick.ts, conditions };
        }
        yield { ts: Date.parse(run.truth.endTs), conditions: replayer.finish() };
      } finally {
        sim.cleanup();
      }
    },
  };
}

/** Detection delay and severity per kind for the ground-truth fallback (rough detector behaviour). */
const TRUTH_MODEL: Record<AlertKind, { delayMin: number; severity: Severity }> = {
  fever: { delayMin: 45, severity: 'warning' },
  illness: { delayMin: 360, severity: 'warning' },
  heat: { delayMin: 120, severity: 'warning' },
  lameness: { delayMin: 720, severity: 'warning' },
  calving: { delayMin: 60, severity: 'critical' },
  'collar-offline': { delayMin: 60, severity: 'warning' },
  'battery-low': { delayMin: 30, severity: 'info' },
  geofence: { delayMin: 10, severity: 'critical' },
  'herd-heat-stress': { delayMin: 60, severity: 'warning' },
  'sensor-fault': { delayMin: 60, severity: 'info' },
  'herd-offline': { delayMin: 60, severity: 'warning' },
};

/** Fallback: each injected event of the simulator's ground truth raised and cleared as a condition. */
function truthSource(
  args: { cows: number; days: number; seed: number; collar?: CollarProfileName | undefined },
  farmId: string,
): ConditionSource {
  const sim = simulatedFarm({ cows: args.cows, farmId, seed: args.seed });
  const run = simulateHerd({
    configDir: sim.dir,
    seed: args.seed,
    days: args.days,
    ...(args.collar === undefined ? {} : { collar: args.collar }),
  });
  sim.cleanup();
  const conditions: Condition[] = [];
  for (const e of run.truth.events) {
    const onsetTs = Date.parse(e.onsetTs);
    const endTs = Date.parse(e.endTs);
    const model = TRUTH_MODEL[e.kind];
    const raisedTs = onsetTs + model.delayMin * 60_000;
    if (raisedTs >= endTs) continue;
    const base = {
      farmId,
      cowId: e.cowId,
      collarId: e.collarId,
      kind: e.kind,
      severity: model.severity,
      onsetTs,
      raisedTs,
      summary: `${e.cowId ?? 'herd'}: ${e.kind}`,
      evidence: {},
    };
    conditions.push({ ...base, change: 'raised', ts: raisedTs }, { ...base, change: 'cleared', ts: endTs });
  }
  conditions.sort((a, b) => a.ts - b.ts);
  return {
    startMs: Date.parse(run.truth.startTs),
    endMs: Date.parse(run.truth.endTs),
    *batches() {
      for (const c of conditions) yield { ts: c.ts, conditions: [c] };
    },
  };
}

function policyRegistry(cows: number, farmId: string, seed: number, policy: unknown): Registry {
  const data = parse(generateFarmFile({ cows, farmId, seed })) as Record<string, unknown>;
  const farm = farmFileSchema.parse({ ...data, contacts: CONTACTS, policy });
  return buildRegistry(
    {
      daemon: daemonConfigSchema.parse({ version: 1 }),
      farms: [{ file: `${farmId}.yaml`, farm }],
      hash: 'bench',
      dir: '.',
    },
    {},
  );
}

/** Seeded PRNG (mulberry32) for the contacts' answers. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Args {
  cows: number;
  days: number;
  seed: number;
  /** The collar model every cow wears (simulator/collar-profiles.ts; default the 5-min full collar). */
  collar: CollarProfileName | undefined;
  source: 'detector' | 'truth';
  acks: boolean;
  /** The farm's `policy:` block as JSON, to try settings (default: the defaults). */
  policy: unknown;
}

export function runPolicyBench(args: Args) {
  const farmId = `bench${args.seed}`;
  const registry = policyRegistry(args.cows, farmId, args.seed, args.policy);
  const farm = registry.farms.get(farmId);
  if (!farm) throw new Error('bench farm missing');
  const policy = createAlertPolicy({ registry });
  const source: ConditionSource =
    args.source === 'detector' ? detectorSource(args, farmId) : truthSource(args, farmId);
  const rnd = random(args.seed);
  const sent: Notification[] = [];
  const changes: AlertMessage[] = [];
  const folded: Record<string, number> = {};
  const suppressed: Record<string, number> = {};
  const acks: { at: number; phone: string; ids: string }[] = [];
  let policyMs = 0;
  let calls = 0;
  let now = source.startMs;
  let nextDigest = nextLocalTime(now, farm.config.policy.digestAt, farm.timezone);

  const take = (out: { changes?: AlertMessage[] | undefined; notifications: Notification[] }) => {
    changes.push(...(out.changes ?? []));
    for (const n of out.notifications) {
      sent.push(n);
      if (!args.acks || n.purpose === 'reply' || n.purpose === 'digest' || n.buttons.length === 0) continue;
      const p = n.severity === 'critical' ? 0.85 : 0.5;
      if (rnd() < p) {
        const ids = n.buttons[0]?.id.split(':')[1] ?? '';
        acks.push({ at: n.createdAt + (2 + rnd() * 18) * 60_000, phone: n.phone, ids });
      }
    }
    const stats = policy.takeStats();
    for (const [k, v] of Object.entries(stats.folded)) folded[k] = (folded[k] ?? 0) + (v ?? 0);
    for (const [k, v] of Object.entries(stats.suppressed)) suppressed[k] = (suppressed[k] ?? 0) + (v ?? 0);
  };
  const timed = <T>(fn: () => T): T => {
    const t0 = performance.now();
    const r = fn();
    policyMs += performance.now() - t0;
    calls++;
    return r;
  };
  const advanceTo = (ts: number) => {
    while (now + TICK_MS <= ts) {
      now += TICK_MS;
      acks.sort((a, b) => a.at - b.at);
      while (acks.length > 0 && (acks[0]?.at ?? Infinity) <= now) {
        const a = acks.shift();
        if (a) take(timed(() => policy.acknowledge(a.phone, a.ids, now)));
      }
      if (now >= nextDigest) {
        take(timed(() => policy.digest(farmId, now)));
        nextDigest = nextLocalTime(now, farm.config.policy.digestAt, farm.timezone);
      }
      take(timed(() => policy.tick(now)));
    }
  };

  const started = performance.now();
  let conditionCount = 0;
  for (const batch of source.batches()) {
    advanceTo(batch.ts);
    if (batch.conditions.length === 0) continue;
    conditionCount += batch.conditions.length;
    take(timed(() => policy.handle(batch.conditions, Math.max(now, batch.ts))));
  }
  advanceTo(now + 24 * 3_600_000);
  const wallS = (performance.now() - started) / 1000;
  return { registry, sent, changes, folded, suppressed, policyMs, calls, conditionCount, wallS, source };
}

function report(args: Args, r: ReturnType<typeof runPolicyBench>): void {
  console.log(
    `Alert policy on ${args.cows} cows x ${args.days} days (seed ${args.seed}, collar ${args.collar ?? 'full-5min'}, conditions from the ${args.source}${args.acks ? ', contacts acknowledge' : ', nobody acknowledges'})`,
  );
  console.log(
    `  ${r.conditionCount} conditions; policy time ${r.policyMs.toFixed(0)} ms in ${r.calls} calls (${((r.policyMs * 1000) / r.calls).toFixed(1)} us/call); whole run ${r.wallS.toFixed(1)} s\n`,
  );
  const summary = summarizeDelivery({
    registry: r.registry,
    notifications: r.sent,
    changes: r.changes,
    startMs: r.source.startMs,
    endMs: r.source.endMs,
  });
  console.log(formatDeliveryReport(summary, { folded: r.folded, suppressed: r.suppressed }));
}

function main(): void {
  const argv = process.argv.slice(2);
  const arg = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
  };
  const args: Args = {
    cows: Number(arg('cows', '200')),
    days: Number(arg('days', '21')),
    seed: Number(arg('seed', '404')),
    collar: argv.includes('--collar') ? (arg('collar', 'full-5min') as CollarProfileName) : undefined,
    source: arg('source', 'detector') === 'truth' ? 'truth' : 'detector',
    acks: !argv.includes('--no-acks'),
    policy: JSON.parse(arg('policy', '{}')) as unknown,
  };
  report(args, runPolicyBench(args));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
