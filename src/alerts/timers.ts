/**
 * What happens because time passed: a snooze ends, an unacknowledged critical alert moves up the
 * escalation chain (then to everyone), an unacknowledged alert is repeated (capped), and an info
 * alert nobody acted on expires.
 */

import type { Farm } from '../config/registry.js';
import { emitChange, type PolicyContext } from './context.js';
import { enqueue } from './deliver.js';
import { closeAlert } from './lifecycle.js';
import { timingFor } from './timing.js';
import type { AlertRecord } from './types.js';

const MINUTE_MS = 60_000;

export function runTimers(ctx: PolicyContext, nowMs: number): void {
  for (const alert of [...ctx.store.openAlerts()]) {
    const farm = ctx.registry.farms.get(alert.farmId);
    if (!farm) continue;
    if (alert.state === 'snoozed' && alert.snoozedUntil !== null && alert.snoozedUntil <= nowMs) {
      endSnooze(ctx, farm, alert, nowMs);
    }
    if (alert.state !== 'firing' || alert.suppressed !== null) continue;
    if (alert.expiresAt !== null && alert.expiresAt <= nowMs) {
      closeAlert(ctx, alert, 'expired', nowMs, nowMs);
      continue;
    }
    if (alert.nextEscalationAt !== null && alert.nextEscalationAt <= nowMs) escalate(ctx, farm, alert, nowMs);
    if (alert.nextRepeatAt !== null && alert.nextRepeatAt <= nowMs) repeat(ctx, farm, alert, nowMs);
  }
}

function endSnooze(ctx: PolicyContext, farm: Farm, alert: AlertRecord, nowMs: number): void {
  const timing = timingFor(farm.config.policy, alert.kind, alert.severity);
  const until = alert.snoozedUntil ?? nowMs;
  alert.state = 'firing';
  alert.snoozedUntil = null;
  if (alert.snoozedBy !== null) {
    enqueue(ctx, farm.id, alert.snoozedBy, {
      key: `snooze:${alert.id}:${until}`,
      type: 'repeat',
      alertId: alert.id,
      severity: alert.severity,
      queuedAt: nowMs,
      dueAt: nowMs,
      requested: true,
    });
  }
  if (timing.escalateAfterMinutes > 0 && alert.escalationStep < alert.chain.length) {
    alert.nextEscalationAt = nowMs + timing.escalateAfterMinutes * MINUTE_MS;
  }
  emitChange(ctx, alert, nowMs);
}

/**
 * Next contact of the chain; after the last one, everyone in the chain is called once more. That
 * final call is news only for a contact not told yet; for the others it is a reminder, grouped and
 * capped like the repeats (deliver.ts), so it never bypasses the rate limit.
 */
function escalate(ctx: PolicyContext, farm: Farm, alert: AlertRecord, nowMs: number): void {
  const timing = timingFor(farm.config.policy, alert.kind, alert.severity);
  const step = alert.escalationStep + 1;
  const item = (key: string) => ({
    key,
    type: 'escalation' as const,
    alertId: alert.id,
    severity: alert.severity,
    queuedAt: nowMs,
    dueAt: nowMs,
  });
  alert.escalationStep = step;
  alert.nextEscalationAt = null;
  const next = alert.chain[step];
  if (next !== undefined) {
    enqueue(ctx, farm.id, next, item(`esc:${alert.id}:${step}`));
    alert.nextEscalationAt = nowMs + timing.escalateAfterMinutes * MINUTE_MS;
  } else if (step === alert.chain.length && alert.chain.length > 1) {
    const last = alert.chain[alert.chain.length - 1];
    for (const contactId of alert.chain) {
      if (contactId === last || hasWaiting(ctx, farm.id, contactId, alert.id)) continue;
      if (!alert.told.includes(contactId)) enqueue(ctx, farm.id, contactId, item(`esc:${alert.id}:all`));
      else enqueue(ctx, farm.id, contactId, { ...item(`rep:${alert.id}:all`), type: 'repeat' });
    }
  }
  ctx.store.touchAlert(alert);
}

function repeat(ctx: PolicyContext, farm: Farm, alert: AlertRecord, nowMs: number): void {
  const timing = timingFor(farm.config.policy, alert.kind, alert.severity);
  alert.nextRepeatAt = null;
  if (alert.repeats >= timing.maxRepeats || timing.repeatIntervalMinutes <= 0) {
    ctx.store.touchAlert(alert);
    return;
  }
  if (alert.told.length > 0) {
    alert.repeats += 1;
    for (const contactId of alert.told) {
      if (hasWaiting(ctx, farm.id, contactId, alert.id)) continue;
      enqueue(ctx, farm.id, contactId, {
        key: `rep:${alert.id}:${alert.repeats}`,
        type: 'repeat',
        alertId: alert.id,
        severity: alert.severity,
        queuedAt: nowMs,
        // A reminder is no more urgent than the alert was: it waits for company like one.
        dueAt: nowMs + timing.groupWaitSeconds * 1000,
      });
    }
  }
  if (alert.repeats < timing.maxRepeats)
    alert.nextRepeatAt = nowMs + timing.repeatIntervalMinutes * MINUTE_MS;
  ctx.store.touchAlert(alert);
}

/** Someone with a message about this alert still waiting needs nothing more about it on top. */
function hasWaiting(ctx: PolicyContext, farmId: string, contactId: string, alertId: string): boolean {
  const rec = ctx.store.contact(farmId, contactId);
  return rec.queue.some((i) => i.alertId === alertId && i.type !== 'resolution');
}
