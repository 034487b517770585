/**
 * What every policy stage works on: the state, the current registry, and the output being
 * collected (alert state changes to publish). Also the protocol view of an alert.
 */
import type { Farm, Registry } from '../config/registry.js';
import type { Contact } from '../config/schema.js';
import type { AlertMessage } from '../telemetry/protocol.js';
import type { PolicyStore } from './state.js';
import type { AlertRecord } from './types.js';

export interface PolicyContext {
  store: PolicyStore;
  registry: Registry;
  /** Alert state changes collected during the current call. */
  changes: AlertMessage[];
}

export function contactOf(farm: Farm, contactId: string): Contact | undefined {
  return farm.contacts.find((c) => c.id === contactId);
}

/** Marks the alert changed and records its new state for publishing. */
export function emitChange(ctx: PolicyContext, alert: AlertRecord, nowMs: number): void {
  alert.updatedAt = nowMs;
  ctx.store.touchAlert(alert);
  ctx.changes.push(toAlertMessage(alert, nowMs));
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The protocol's alert message. The protocol knows firing/acknowledged/resolved: a snoozed alert
 * is still firing and an expired one is resolved; `evidence.lifecycle` carries the finer state.
 */
export function toAlertMessage(alert: AlertRecord, nowMs: number): AlertMessage {
  const state = alert.state === 'snoozed' ? 'firing' : alert.state === 'expired' ? 'resolved' : alert.state;
  const lifecycle: Record<string, unknown> = { state: alert.state };
  if (alert.snoozedUntil !== null) lifecycle.snoozedUntil = iso(alert.snoozedUntil);
  if (alert.suppressed !== null) lifecycle.suppressed = alert.suppressed;
  if (alert.suppressedBy !== null) lifecycle.suppressedBy = alert.suppressedBy;
  if (alert.clearedTs !== null) lifecycle.clearedTs = iso(alert.clearedTs);
  const evidence: Record<string, unknown> = { ...alert.evidence, lifecycle };
  if (alert.related.length > 0) {
    evidence.related = alert.related.map((r) => ({ kind: r.kind, summary: r.summary, ts: iso(r.ts) }));
  }
  return {
    alertId: alert.id,
    farmId: alert.farmId,
    cowId: alert.cowId,
    collarId: alert.collarId,
    kind: alert.kind,
    severity: alert.severity,
    state,
    onsetTs: iso(alert.onsetTs),
    raisedTs: iso(alert.raisedTs),
    updatedTs: iso(nowMs),
    summary: alert.summary,
    evidence,
    ackedBy: alert.ackedByContact,
  };
}
