/**
 * `cowbell replay`: a recording through the whole pipeline (validation, detector, alert policy;
 * nothing is sent) in event time, as fast as it goes. Writes every alert state change as JSON Lines
 * (the protocol's alert message) and prints a summary per kind and farm; with --truth, a score.
 * A technician uses it to see what a threshold change would have done.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { formatDeliveryReport, summarizeDelivery } from '../alerts/delivery-report.js';
import { nextLocalTime } from '../alerts/local-time.js';
import type { Notification } from '../alerts/notification.js';
import { createAlertPolicy, type PolicyOutput } from '../alerts/policy.js';
import type { PolicyStats } from '../alerts/types.js';
import { loadRegistry } from '../config/coordinator.js';
import { formatIssues } from '../config/load.js';
import type { Registry } from '../config/registry.js';
import type { AlertMessage } from '../telemetry/protocol.js';
import { createReplayer, type ReplaySummary } from './replay.js';
import { detectionsFromAlertMessages, score } from './score.js';
import { formatScoreTable } from './score-table.js';
import { readTruthFile, type TruthContext, TruthError } from './truth.js';

/** Event time between policy ticks: group waits and escalations are timed to within this. */
const POLICY_TICK_MS = 10_000;

export interface ReplayCommand {
  configDir: string;
  input: string;
  out?: string | undefined;
  truth?: string | undefined;
}

export interface ReplayResult {
  registry: Registry;
  summary: ReplaySummary;
  changes: AlertMessage[];
  notifications: Notification[];
  stats: PolicyStats;
}

/** Runs the replay; `write` gets each alert message line (for --out). */
export async function runReplay(
  command: ReplayCommand,
  write: (line: string) => void = () => {},
): Promise<ReplayResult | { issues: string }> {
  const loaded = loadRegistry(command.configDir);
  if (!loaded.ok) return { issues: formatIssues(loaded.issues) };
  const registry = loaded.registry;
  const policy = createAlertPolicy({ registry });
  const replayer = createReplayer({ registry });
  const changes: AlertMessage[] = [];
  const notifications: Notification[] = [];
  const stats: PolicyStats = { folded: {}, suppressed: {} };
  let nextPolicyTick = Number.NEGATIVE_INFINITY;

  const take = (out: PolicyOutput) => {
    for (const change of out.changes) {
      changes.push(change);
      write(JSON.stringify(change));
    }
    for (const n of out.notifications) notifications.push(n);
    addStats(stats, policy.takeStats());
    policy.takeDirtyState(); // nothing is persisted in replay
  };
  // Each farm's daily digest, at its local digestAt in event time, as node-cron runs it live.
  const nextDigest = new Map<string, number>();
  const digestDue = (farmId: string, digestAt: string, timezone: string, t: number) => {
    let due = nextDigest.get(farmId);
    if (due === undefined) {
      due = nextLocalTime(t, digestAt, timezone);
      nextDigest.set(farmId, due);
    }
    return due;
  };
  /** Runs the policy's timers and digests up to event time `now`, in steps, as the live daemon would. */
  const advance = (now: number) => {
    if (!Number.isFinite(nextPolicyTick)) nextPolicyTick = now;
    while (nextPolicyTick <= now) {
      // With nothing open or queued no timer can fire: jump (on the same tick grid) to the next digest
      // or to now. A sparse recording (a few days spread over a year) would otherwise step through
      // every 10 s of the empty months.
      if (policy.isIdle()) {
        let until = now;
        for (const farm of registry.farms.values())
          until = Math.min(
            until,
            digestDue(farm.id, farm.config.policy.digestAt, farm.timezone, nextPolicyTick),
          );
        if (until > nextPolicyTick)
          nextPolicyTick += Math.floor((until - nextPolicyTick) / POLICY_TICK_MS) * POLICY_TICK_MS;
      }
      const t = nextPolicyTick;
      take(policy.tick(t));
      for (const farm of registry.farms.values()) {
        const due = digestDue(farm.id, farm.config.policy.digestAt, farm.timezone, t);
        if (due <= t) {
          take(policy.digest(farm.id, t));
          nextDigest.set(farm.id, nextLocalTime(t + 60_000, farm.config.policy.digestAt, farm.timezone));
        }
      }
      nextPolicyTick += POLICY_TICK_MS;
    }
  };

  const lines = createInterface({
    input: createReadStream(command.input),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    const conditions = replayer.push(line);
    const now = replayer.summary().lastTs;
    if (now === null) continue;
    advance(now);
    if (conditions.length > 0) take(policy.handle(conditions, now));
  }
  const end = replayer.summary().lastTs;
  const last = replayer.finish();
  if (end !== null) {
    if (last.length > 0) take(policy.handle(last, end));
    advance(end);
  }
  return { registry, summary: replayer.summary(), changes, notifications, stats };
}

/** The CLI wrapper: files in and out, summary on stdout; returns the exit code. */
export async function runReplayCommand(command: ReplayCommand): Promise<number> {
  try {
    // Checked before the replay, so a bad truth file fails at once, not after minutes of replay.
    if (command.truth) readTruthFile(command.truth);
  } catch (err) {
    if (!(err instanceof TruthError)) throw err;
    process.stderr.write(`cowbell: ${err.message}\n`);
    return 2;
  }
  let out: WriteStream | undefined;
  if (command.out) out = createWriteStream(command.out);
  const started = performance.now();
  const result = await runReplay(command, (line) => out?.write(`${line}\n`));
  if (out) await new Promise<void>((resolve) => out.end(resolve));
  if ('issues' in result) {
    process.stderr.write(`cowbell: config in ${command.configDir} is not valid:\n${result.issues}\n`);
    return 2;
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${formatReplaySummary(result, seconds)}\n`);
  if (command.truth) {
    const truth = readTruthFile(command.truth, replayedSpan(result));
    const report = score(detectionsFromAlertMessages(result.changes), truth);
    process.stdout.write(`\n${formatScoreTable(report)}\n`);
  }
  return 0;
}

/** The span and herd a plain truth file is scored over: the recording's time range and the farm files. */
function replayedSpan(result: ReplayResult): TruthContext {
  return {
    startTs: result.summary.firstTs ?? 0,
    endTs: result.summary.lastTs ?? 0,
    farms: [...result.registry.farms.values()].map((farm) => ({
      id: farm.id,
      cows: [...farm.cows.values()].map((cow) => ({ cowId: cow.id })),
    })),
  };
}

function formatReplaySummary(result: ReplayResult, seconds: number): string {
  const { summary, changes } = result;
  const lines = [
    `replayed ${summary.lines} messages, ${summary.readings} readings in ${seconds.toFixed(1)} s` +
      ` (${Math.round(summary.readings / Math.max(seconds, 1e-6))} readings/s)`,
    `  duplicates ${summary.duplicates}, late ${summary.lateReadings}, out of order ${summary.outOfOrder}, rejected ${JSON.stringify(summary.rejected)}`,
    '',
    'alerts raised (firing), by farm and kind:',
  ];
  const raised = new Map<string, Map<string, number>>();
  const seen = new Set<string>();
  for (const c of changes) {
    if (c.state !== 'firing' || seen.has(c.alertId)) continue;
    seen.add(c.alertId);
    const byKind = raised.get(c.farmId) ?? new Map<string, number>();
    byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
    raised.set(c.farmId, byKind);
  }
  if (raised.size === 0) lines.push('  none');
  for (const [farmId, byKind] of raised) {
    const parts = [...byKind].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => `${kind} ${n}`);
    lines.push(`  ${farmId}: ${parts.join(', ')}`);
  }
  if (summary.firstTs !== null && summary.lastTs !== null) {
    const report = summarizeDelivery({
      registry: result.registry,
      notifications: result.notifications,
      changes,
      startMs: summary.firstTs,
      endMs: summary.lastTs,
    });
    lines.push(
      '',
      'what the farmers would have received (nothing was sent):',
      formatDeliveryReport(report, result.stats),
    );
  }
  return lines.join('\n');
}

function addStats(total: PolicyStats, more: PolicyStats): void {
  for (const [reason, n] of Object.entries(more.folded) as [keyof PolicyStats['folded'], number][]) {
    total.folded[reason] = (total.folded[reason] ?? 0) + n;
  }
  for (const [reason, n] of Object.entries(more.suppressed) as [keyof PolicyStats['suppressed'], number][]) {
    total.suppressed[reason] = (total.suppressed[reason] ?? 0) + n;
  }
}
