/**
 * Conditions from the detector become alert lifecycles: a new alert (stable id), an update of the
 * open one (deduplication by farm, cow and kind), a resolution. New alerts pass inhibition, then
 * routing; a resolution sends one short note to whoever was told and releases what it silenced.
 */

import type { Farm } from '../config/registry.js';
import type { Contact } from '../config/schema.js';
import type { Condition } from '../detect/condition.js';
import type { AlertKind, Severity } from '../telemetry/protocol.js';
import { emitChange, type PolicyContext } from './context.js';
import { enqueue } from './deliver.js';
import { inhibitorFor, silenceUntold } from './inhibit.js';
import { effectiveSeverity, isOptedIn, routeAlert } from './route.js';
import { timingFor } from './timing.js';
import type { AlertRecord, AlertState } from './types.js';

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
const MINUTE_MS = 60_000;

/** Stable, unique, topic-safe: farm, cow, kind and onset, e.g. "demo.daisy.fever.mhx2k3s0". */
export function alertIdFor(
  ctx: PolicyContext,
  farmId: string,
  cowId: string | null,
  kind: AlertKind,
  onsetTs: number,
): string {
  const base = baseAlertId(farmId, cowId, kind, onsetTs);
  let id = base;
  for (let n = 2; ctx.store.alerts.has(id); n++) id = `${base}.${n}`;
  return id;
}

const baseAlertId = (farmId: string, cowId: string | null, kind: AlertKind, onsetTs: number): string =>
  `${farmId}.${cowId ?? 'herd'}.${kind}.${onsetTs.toString(36)}`;

export function applyCondition(ctx: PolicyContext, c: Condition, nowMs: number): void {
  const farm = ctx.registry.farms.get(c.farmId);
  if (!farm) return;
  const open = ctx.store.openAlert(c.farmId, c.cowId, c.kind);
  if (c.change === 'cleared') {
    if (open) closeAlert(ctx, open, 'resolved', c.ts, nowMs);
    return;
  }
  if (open) {
    updateAlert(ctx, farm, open, c, nowMs);
    return;
  }
  if (alreadyDecided(ctx, c)) return;
  openAlert(ctx, farm, c, nowMs);
}

/**
 * The same condition (farm, cow, kind, onset) had its alert already, now closed: it was decided
 * before, e.g. by the daemon that crashed before its detector snapshot, and recovery fed the
 * detector the same readings again. Deciding it twice would message the farmer twice.
 */
function alreadyDecided(ctx: PolicyContext, c: Condition): boolean {
  const earlier = ctx.store.alerts.get(baseAlertId(c.farmId, c.cowId, c.kind, c.onsetTs));
  return earlier !== undefined && earlier.onsetTs === c.onsetTs && earlier.cowId === c.cowId;
}

function openAlert(ctx: PolicyContext, farm: Farm, c: Condition, nowMs: number): void {
  const cow = c.cowId === null ? undefined : farm.cows.get(c.cowId);
  const alert: AlertRecord = {
    id: alertIdFor(ctx, c.farmId, c.cowId, c.kind, c.onsetTs),
    farmId: c.farmId,
    cowId: c.cowId,
    collarId: c.collarId,
    kind: c.kind,
    severity: effectiveSeverity(farm.config.policy, c.kind, cow, c.severity, c.evidence),
    state: 'firing',
    onsetTs: c.onsetTs,
    raisedTs: c.raisedTs,
    updatedAt: nowMs,
    clearedTs: null,
    summary: c.summary,
    evidence: c.evidence,
    related: [],
    suppressed: null,
    suppressedBy: null,
    ackedByContact: null,
    snoozedUntil: null,
    snoozedBy: null,
    chain: [],
    told: [],
    escalationStep: 0,
    nextEscalationAt: null,
    repeats: 0,
    nextRepeatAt: null,
    expiresAt: null,
  };
  const inhibitor = c.late ? { reason: 'late' as const, by: null } : inhibitorFor(ctx, alert);
  if (inhibitor) {
    alert.suppressed = inhibitor.reason;
    alert.suppressedBy = inhibitor.by?.id ?? null;
    ctx.store.countSuppressed(inhibitor.reason);
    if (inhibitor.reason === 'consequence' && inhibitor.by) {
      // Not news on its own, but evidence for the cause: "fever, and now she eats less".
      inhibitor.by.related.push({ kind: c.kind, summary: c.summary, ts: c.ts });
      emitChange(ctx, inhibitor.by, nowMs);
    }
  }
  emitChange(ctx, alert, nowMs);
  if (!alert.suppressed) routeNew(ctx, farm, alert, nowMs);
  silenceUntold(ctx, alert, nowMs);
}

function updateAlert(ctx: PolicyContext, farm: Farm, alert: AlertRecord, c: Condition, nowMs: number): void {
  const cow = c.cowId === null ? undefined : farm.cows.get(c.cowId);
  const severity = effectiveSeverity(farm.config.policy, c.kind, cow, c.severity, c.evidence);
  const upgraded = SEVERITY_RANK[severity] < SEVERITY_RANK[alert.severity];
  alert.summary = c.summary;
  alert.evidence = c.evidence;
  alert.severity = severity;
  emitChange(ctx, alert, nowMs);
  if (upgraded && alert.state === 'firing' && alert.suppressed === null) routeNew(ctx, farm, alert, nowMs);
}

/** Routes a firing alert: the first of the chain for escalating severities, else everyone routed. */
export function routeNew(ctx: PolicyContext, farm: Farm, alert: AlertRecord, nowMs: number): void {
  const policy = farm.config.policy;
  const timing = timingFor(policy, alert.kind, alert.severity);
  if (alert.severity === 'info') alert.expiresAt = nowMs + policy.infoExpireHours * 60 * MINUTE_MS;
  if (!timing.notify) {
    ctx.store.countFold('digest-only', null);
    ctx.store.touchAlert(alert);
    return;
  }
  const cow = alert.cowId === null ? undefined : farm.cows.get(alert.cowId);
  const optedIn = (c: Contact) => isOptedIn(c, ctx.store.contact(farm.id, c.id).optedIn);
  let contacts = routeAlert(farm, alert.kind, alert.severity, cow).filter(optedIn);
  // Nobody routed (a small farm without a herdsman): the owners hear of it rather than nobody.
  if (contacts.length === 0) contacts = farm.contacts.filter((c) => c.role === 'owner' && optedIn(c));
  alert.chain = contacts.map((c) => c.id);
  if (contacts.length === 0) {
    ctx.store.countFold('no-recipient', null);
    ctx.store.touchAlert(alert);
    return;
  }
  const escalates = timing.escalateAfterMinutes > 0 && contacts.length > 0;
  const first = escalates ? alert.chain.slice(0, 1) : alert.chain;
  // The key carries the severity: an alert raised to critical is news again for who heard the warning.
  for (const contactId of first) {
    enqueue(ctx, farm.id, contactId, {
      key: `alert:${alert.id}:${alert.severity}`,
      type: 'alert',
      alertId: alert.id,
      severity: alert.severity,
      queuedAt: nowMs,
      dueAt: nowMs + timing.groupWaitSeconds * 1000,
    });
  }
  alert.escalationStep = 0;
  alert.nextEscalationAt = escalates ? nowMs + timing.escalateAfterMinutes * MINUTE_MS : null;
  alert.nextRepeatAt =
    timing.repeatIntervalMinutes > 0 && timing.maxRepeats > alert.repeats
      ? nowMs + timing.repeatIntervalMinutes * MINUTE_MS
      : null;
  ctx.store.touchAlert(alert);
}

/** Resolves (condition cleared) or expires (info nobody acted on) an open alert. */
export function closeAlert(
  ctx: PolicyContext,
  alert: AlertRecord,
  state: Extract<AlertState, 'resolved' | 'expired'>,
  clearedTs: number,
  nowMs: number,
): void {
  const farm = ctx.registry.farms.get(alert.farmId);
  alert.state = state;
  alert.clearedTs = clearedTs;
  alert.nextEscalationAt = null;
  alert.nextRepeatAt = null;
  alert.snoozedUntil = null;
  emitChange(ctx, alert, nowMs);
  if (state === 'resolved' && farm) {
    const notes = farm.config.policy.notes;
    for (const contactId of alert.told) {
      enqueue(ctx, alert.farmId, contactId, {
        key: `res:${alert.id}`,
        type: 'resolution',
        alertId: alert.id,
        severity: alert.severity,
        queuedAt: nowMs,
        dueAt: nowMs + notes.waitSeconds * 1000,
        // Whoever acknowledged it was there: the note is news only for an alert nobody took.
        rideOnly: !notes.ownMessageFor.includes(alert.severity) || alert.ackedByContact !== null,
      });
    }
  }
  // What this alert silenced is news again if it is still going on.
  for (const other of [...ctx.store.openAlerts(alert.farmId)]) {
    if (other.suppressedBy !== alert.id) continue;
    other.suppressed = null;
    other.suppressedBy = null;
    emitChange(ctx, other, nowMs);
    if (other.state === 'firing' && farm) routeNew(ctx, farm, other, nowMs);
  }
}
