/**
 * What the policy did to people, measured from its output (notifications and alert state changes)
 * over a run: messages per contact per day, the share of alerts that reached someone in time,
 * what happened to the alerts nobody was messaged about, and alerts lost (must be none). Used by
 * `bench/policy.ts` and meant for the replay summary.
 */
import type { Registry } from '../config/registry.js';
import type { AlertKind, AlertMessage, Severity } from '../telemetry/protocol.js';
import { localDate } from './local-time.js';
import type { Notification } from './notification.js';
import { timingFor } from './timing.js';
import type { PolicyStats } from './types.js';

export interface Share {
  inTime: number;
  total: number;
}

export interface DeliveryReport {
  alerts: number;
  /** Business-initiated messages (replies to the contact's own messages excluded). */
  messages: number;
  replies: number;
  contacts: {
    farmId: string;
    contactId: string;
    name: string;
    role: string;
    median: number;
    max: number;
    total: number;
  }[];
  /** Over every contact-day of the run, days without messages included. */
  perContactDay: { median: number; max: number };
  /** First message within 1 min of the alert becoming critical. */
  critical: Share;
  /** First message within the kind's groupWait + 1 min of being raised. */
  warning: Share;
  /** The same allowing the group interval too (quiet hours are the rest). */
  warningWithInterval: Share;
  /** Alerts by what happened: notified, suppressed: <reason>, digest only, cleared before due. */
  outcomes: Record<string, number>;
  /** Alerts with no message and no reason: must be empty. */
  lost: string[];
  byPurpose: Record<string, Record<string, number>>;
}

interface Seen {
  farmId: string;
  raisedAt: number;
  kind: AlertKind;
  severity: Severity;
  criticalAt?: number;
  suppressed?: string;
  closedAt?: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function summarizeDelivery(input: {
  registry: Registry;
  notifications: readonly Notification[];
  changes: readonly AlertMessage[];
  startMs: number;
  endMs: number;
}): DeliveryReport {
  const pushed = input.notifications.filter((n) => n.purpose !== 'reply');
  const report: DeliveryReport = {
    alerts: 0,
    messages: pushed.length,
    replies: input.notifications.length - pushed.length,
    contacts: [],
    perContactDay: { median: 0, max: 0 },
    critical: { inTime: 0, total: 0 },
    warning: { inTime: 0, total: 0 },
    warningWithInterval: { inTime: 0, total: 0 },
    outcomes: {},
    lost: [],
    byPurpose: {},
  };
  const allDays: number[] = [];
  for (const farm of input.registry.farms.values()) {
    const days: string[] = [];
    for (let t = input.startMs; t < input.endMs; t += 86_400_000) days.push(localDate(t, farm.timezone));
    for (const c of farm.contacts) {
      const mine = pushed.filter((n) => n.farmId === farm.id && n.contactId === c.id);
      const perDay = new Map<string, number>();
      for (const n of mine) {
        const d = localDate(n.createdAt, farm.timezone);
        perDay.set(d, (perDay.get(d) ?? 0) + 1);
      }
      const counts = days.map((d) => perDay.get(d) ?? 0);
      allDays.push(...counts);
      report.contacts.push({
        farmId: farm.id,
        contactId: c.id,
        name: c.name,
        role: c.role,
        median: median(counts),
        max: Math.max(0, ...counts),
        total: mine.length,
      });
    }
  }
  report.perContactDay = { median: median(allDays), max: Math.max(0, ...allDays) };

  const sentAt = new Map<string, number[]>();
  for (const n of pushed)
    for (const id of n.alertIds) sentAt.set(id, [...(sentAt.get(id) ?? []), n.createdAt]);
  for (const n of input.notifications) {
    const row = report.byPurpose[n.purpose] ?? {};
    row[n.contactId] = (row[n.contactId] ?? 0) + 1;
    report.byPurpose[n.purpose] = row;
  }
  const alerts = new Map<string, Seen>();
  for (const c of input.changes) {
    const lifecycle = (c.evidence.lifecycle ?? {}) as { suppressed?: string };
    const at = Date.parse(c.updatedTs);
    let a = alerts.get(c.alertId);
    if (!a) {
      a = { farmId: c.farmId, raisedAt: at, kind: c.kind, severity: c.severity };
      alerts.set(c.alertId, a);
    }
    if (lifecycle.suppressed && !a.suppressed) a.suppressed = lifecycle.suppressed;
    if (c.severity === 'critical' && a.criticalAt === undefined && c.state === 'firing') a.criticalAt = at;
    if (c.state === 'resolved' && a.closedAt === undefined) a.closedAt = at;
  }
  report.alerts = alerts.size;
  const count = (key: string) => {
    report.outcomes[key] = (report.outcomes[key] ?? 0) + 1;
  };
  for (const [id, a] of alerts) {
    const times = sentAt.get(id) ?? [];
    if (times.length === 0) {
      if (a.suppressed) count(`suppressed: ${a.suppressed}`);
      else if (a.severity === 'info') count('info: digest only');
      else if (a.closedAt !== undefined) count('cleared before it was due (in the digest)');
      else report.lost.push(id);
      continue;
    }
    count('notified');
    if (a.criticalAt !== undefined) {
      const start = a.criticalAt;
      const first = times.find((t) => t >= start);
      report.critical.total++;
      if (first !== undefined && first - start <= 60_000) report.critical.inTime++;
    } else if (a.severity === 'warning') {
      const policy = input.registry.farms.get(a.farmId)?.config.policy;
      if (!policy) continue;
      const timing = timingFor(policy, a.kind, 'warning');
      const limit = timing.groupWaitSeconds * 1000 + 60_000;
      const delay = (times[0] ?? Number.POSITIVE_INFINITY) - a.raisedAt;
      report.warning.total++;
      report.warningWithInterval.total++;
      if (delay <= limit) report.warning.inTime++;
      if (delay <= limit + timing.groupIntervalMinutes * 60_000) report.warningWithInterval.inTime++;
    }
  }
  return report;
}

const pct = (s: Share): string =>
  s.total ? `${((s.inTime / s.total) * 100).toFixed(1)}% of ${s.total}` : 'n/a';

/** The report as the table the benchmark and replay print; `stats` adds fold and suppression counts. */
export function formatDeliveryReport(r: DeliveryReport, stats?: PolicyStats): string {
  const lines: string[] = [];
  lines.push(`${r.alerts} alerts -> ${r.messages} messages (+${r.replies} replies)`);
  lines.push('', 'Messages per contact per day (target: max <= 12, median <= 3)');
  for (const c of r.contacts) {
    lines.push(
      `  ${c.name.padEnd(10)} ${c.role.padEnd(9)} median ${String(c.median).padStart(4)}  max ${String(c.max).padStart(3)}  total ${c.total}`,
    );
  }
  lines.push(`  all contacts: median ${r.perContactDay.median}, max ${r.perContactDay.max}`);
  lines.push('', 'First message in time after the alert was raised');
  lines.push(`  critical within 1 min (from when it became critical): ${pct(r.critical)}`);
  lines.push(`  warning within groupWait + 1 min:                    ${pct(r.warning)}`);
  lines.push(`  warning within groupWait + groupInterval + 1 min:    ${pct(r.warningWithInterval)}`);
  lines.push('  (the rest of the warnings waited for the end of quiet hours)');
  const ids = r.contacts.map((c) => c.contactId);
  lines.push(
    '',
    `Messages by purpose      ${r.contacts.map((c) => c.name.slice(0, 9).padStart(10)).join('')}`,
  );
  for (const [k, row] of Object.entries(r.byPurpose).sort()) {
    lines.push(`  ${k.padEnd(22)} ${ids.map((id) => String(row[id] ?? 0).padStart(10)).join('')}`);
  }
  lines.push('', 'Alerts by outcome');
  for (const [k, v] of Object.entries(r.outcomes).sort()) lines.push(`  ${k.padEnd(44)} ${v}`);
  lines.push(`  ${'lost (no message, no reason)'.padEnd(44)} ${r.lost.length}`);
  if (stats) {
    lines.push('', 'Folded (held, merged or left to the digest), by reason');
    for (const [k, v] of Object.entries(stats.folded).sort()) lines.push(`  ${k.padEnd(15)} ${v}`);
    lines.push('Suppressed alerts, by reason');
    const suppressed = Object.entries(stats.suppressed).sort();
    if (suppressed.length === 0) lines.push('  none');
    for (const [k, v] of suppressed) lines.push(`  ${k.padEnd(15)} ${v}`);
  }
  return lines.join('\n');
}
