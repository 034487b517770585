/**
 * The alert policy: detector conditions in, alert state changes and messages out. Pure: time comes
 * in as `nowMs` (wall time live, event time in replay); the caller persists `takeDirtyState()`
 * and publishes `changes`. Stages, in the order a reader would explain them:
 *   applyCondition  (lifecycle.ts: dedup, inhibition, routing into per-contact queues)
 *   runTimers       (timers.ts: snooze end, escalation, repeats, info expiry)
 *   flushDue        (deliver.ts: group wait, quiet hours, rate limits, compose the messages)
 */
import type { Registry } from '../config/registry.js';
import type { Condition } from '../detect/condition.js';
import type { AlertMessage } from '../telemetry/protocol.js';
import {
  acknowledgeAlert,
  detailsOf,
  helpFor,
  onAlerts,
  setOptIn,
  snoozeAction,
  statusOf,
} from './contact-operations.js';
import type { PolicyContext } from './context.js';
import { flushDue } from './deliver.js';
import { buildDigest, flushDueDigests } from './digest.js';
import { applyCondition } from './lifecycle.js';
import type { Notification } from './notification.js';
import type { AlertOperations, OperationResult } from './operations.js';
import { PolicyStore } from './state.js';
import { runTimers } from './timers.js';
import type { PolicyState, PolicyStateDelta, PolicyStats } from './types.js';

export interface PolicyOutput {
  /** Alert state changes to persist and publish on farms/{farmId}/alerts/{alertId} (protocol AlertMessage). */
  changes: AlertMessage[];
  /** Messages to deliver. */
  notifications: Notification[];
}

export interface AlertPolicy extends AlertOperations {
  handle(conditions: readonly Condition[], nowMs: number): PolicyOutput;
  /**
   * Timers: group wait, escalation, repeats, quiet-hours end (held messages and digests), snooze
   * end, info expiry. Call every few seconds.
   */
  tick(nowMs: number): PolicyOutput;
  /** The daily digest for one farm (scheduled at policy.digestAt in the farm's timezone). */
  digest(farmId: string, nowMs: number): PolicyOutput;
  reconfigure(registry: Registry): void;
  /** Records changed since the last call: persist them (AlertsRepo.save) before the next policy call. */
  takeDirtyState(): PolicyStateDelta;
  /** Loads persisted state into a fresh policy (before the first call). */
  restore(state: PolicyState): void;
  /** Fold and suppression counts since the last call, for metrics. */
  takeStats(): PolicyStats;
  /** True when no timer can fire: no open alert, nothing queued or held (replay skips such time). */
  isIdle(): boolean;
}

export function createAlertPolicy(deps: { registry: Registry }): AlertPolicy {
  const store = new PolicyStore();
  let registry = deps.registry;

  const run = <T>(fn: (ctx: PolicyContext) => T): { result: T; changes: AlertMessage[] } => {
    const ctx: PolicyContext = { store, registry, changes: [] };
    const result = fn(ctx);
    return { result, changes: ctx.changes };
  };
  const output = (fn: (ctx: PolicyContext) => Notification[]): PolicyOutput => {
    const { result, changes } = run(fn);
    return { changes, notifications: result };
  };
  const operation = (fn: (ctx: PolicyContext) => OperationResult): OperationResult => {
    const { result, changes } = run(fn);
    return changes.length > 0 ? { ...result, changes } : result;
  };

  return {
    handle: (conditions, nowMs) =>
      output((ctx) => {
        for (const c of conditions) applyCondition(ctx, c, nowMs);
        return flushDue(ctx, nowMs);
      }),
    tick: (nowMs) =>
      output((ctx) => {
        runTimers(ctx, nowMs);
        return [...flushDue(ctx, nowMs), ...flushDueDigests(ctx, nowMs)];
      }),
    digest: (farmId, nowMs) => output((ctx) => buildDigest(ctx, farmId, nowMs)),
    reconfigure(next) {
      registry = next;
    },
    takeDirtyState: () => store.takeDirty(),
    restore: (state) => store.restore(state),
    takeStats: () => store.takeStats(),
    isIdle: () => store.isIdle(),

    acknowledge: (phone, alertId, nowMs) =>
      operation((ctx) => onAlerts(ctx, phone, alertId, nowMs, 'ack', acknowledgeAlert)),
    snooze: (phone, alertId, snoozeFor, nowMs) =>
      operation((ctx) => onAlerts(ctx, phone, alertId, nowMs, 'snooze', snoozeAction(snoozeFor))),
    details: (phone, alertId, nowMs) =>
      operation((ctx) => onAlerts(ctx, phone, alertId, nowMs, 'details', detailsOf)),
    optOut: (phone, nowMs) => operation((ctx) => setOptIn(ctx, phone, false, nowMs)),
    optIn: (phone, nowMs) => operation((ctx) => setOptIn(ctx, phone, true, nowMs)),
    status: (phone, nowMs) => operation((ctx) => statusOf(ctx, phone, nowMs)),
    help: (phone, nowMs) => operation((ctx) => helpFor(ctx, phone, nowMs)),
  };
}
