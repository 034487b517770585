/**
 * Counters of the detect -> alerts path: conditions by kind and change, alert state changes,
 * notifications by purpose, and what the policy folded or suppressed (never dropped silently).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { PolicyOutput } from '../alerts/policy.js';
import type { PolicyStats } from '../alerts/types.js';
import type { Condition } from '../detect/condition.js';

export function createPipelineMetrics(registry: Registry) {
  const conditions = new Counter({
    name: 'cowbell_conditions_total',
    help: 'Conditions from the detector, by kind and change (raised, updated, cleared)',
    labelNames: ['kind', 'change'] as const,
    registers: [registry],
  });
  const alertChanges = new Counter({
    name: 'cowbell_alert_changes_total',
    help: 'Alert state changes (firing, acknowledged, resolved), by kind',
    labelNames: ['state', 'kind'] as const,
    registers: [registry],
  });
  const notifications = new Counter({
    name: 'cowbell_notifications_total',
    help: 'Messages the policy decided to send, by purpose',
    labelNames: ['purpose'] as const,
    registers: [registry],
  });
  const folded = new Counter({
    name: 'cowbell_alert_folded_total',
    help: 'Alerts folded into a later message or the digest instead of a message of their own, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const suppressed = new Counter({
    name: 'cowbell_alert_suppressed_total',
    help: 'Alerts not sent because another explains them (offline collar, herd alert, consequence, late), by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const detectorCows = new Gauge({
    name: 'cowbell_detector_cows',
    help: 'Cows with detector state',
    registers: [registry],
  });
  const detectorBytes = new Gauge({
    name: 'cowbell_detector_state_bytes',
    help: 'Approximate detector state memory',
    registers: [registry],
  });

  return {
    countConditions(list: readonly Condition[]): void {
      for (const c of list) conditions.inc({ kind: c.kind, change: c.change });
    },
    countDecisions(out: PolicyOutput, stats: PolicyStats): void {
      for (const change of out.changes) alertChanges.inc({ state: change.state, kind: change.kind });
      for (const n of out.notifications) notifications.inc({ purpose: n.purpose });
      for (const [reason, count] of Object.entries(stats.folded)) if (count) folded.inc({ reason }, count);
      for (const [reason, count] of Object.entries(stats.suppressed))
        if (count) suppressed.inc({ reason }, count);
    },
    setDetectorStats(stats: { cows: number; approxStateBytes: number }): void {
      detectorCows.set(stats.cows);
      detectorBytes.set(stats.approxStateBytes);
    },
  };
}
export type PipelineMetrics = ReturnType<typeof createPipelineMetrics>;
