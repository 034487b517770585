/**
 * Per-contact queues and when they go out: group wait (items wait for each other), quiet hours
 * (only critical goes out; the rest waits for the morning), follow-ups (reminders, and resolution
 * notes that may go alone: a reminder message only after a quiet gap, listing every alert due one,
 * and a daily budget past which they only ride along or end in the digest), rate limits (over the
 * limit, items wait and fold into the next message or the digest, counted, never dropped).
 */

import type { Policy } from '../config/policy-schema.js';
import { composeMessages, isAlertItem } from './compose.js';
import { contactOf, type PolicyContext } from './context.js';
import { inLocalWindow, nextLocalTime } from './local-time.js';
import type { Notification } from './notification.js';
import { isOptedIn } from './route.js';
import { timingFor } from './timing.js';
import type { ContactRecord, FoldReason, QueueItem } from './types.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Adds an item to a contact's queue unless one with the same key is already there. */
export function enqueue(ctx: PolicyContext, farmId: string, contactId: string, item: QueueItem): void {
  const rec = ctx.store.contact(farmId, contactId);
  if (rec.queue.some((i) => i.key === item.key)) return;
  rec.queue.push(item);
  ctx.store.touchContact(rec);
}

/**
 * Whether an item may trigger a message now: its group wait is over and, for alerts that are not
 * escalations, the contact's last message is at least the group interval ago (Alertmanager's
 * group_interval: a busy day becomes a few messages, not one per alert). Ride-only notes never do.
 */
function isDue(ctx: PolicyContext, rec: ContactRecord, item: QueueItem, nowMs: number): boolean {
  if (item.rideOnly || item.dueAt > nowMs) return false;
  if (!isAlertItem(item) || item.type === 'escalation') return true;
  const farm = ctx.registry.farms.get(rec.farmId);
  const alert = ctx.store.alerts.get(item.alertId);
  if (!farm || !alert) return true;
  if (isReminder(item) && nowMs < nextReminderSlot(farm.config.policy, rec)) return false;
  const last = rec.sentTimes[rec.sentTimes.length - 1];
  if (last === undefined) return true;
  const interval = timingFor(farm.config.policy, alert.kind, item.severity).groupIntervalMinutes;
  return nowMs >= last + interval * 60_000;
}

/** A reminder nobody asked for: the reminder gap and the daily budget apply to it. */
function isReminder(item: QueueItem): boolean {
  return item.type === 'repeat' && !item.requested;
}

/**
 * A message of its own about an alert the contact already heard of and did not answer: a reminder,
 * or a resolution note allowed to go alone. These share the daily budget, so someone who does not
 * answer is not sent more for it (news, escalations to someone not yet told, never count).
 */
function isFollowUp(item: QueueItem): boolean {
  return isReminder(item) || (item.type === 'resolution' && !item.rideOnly);
}

/**
 * Earliest time the contact may get a message that only reminders ask for: `gapMinutes` after the
 * last message of any kind. Someone who hears from us anyway gets the reminders with that message;
 * a busy day brings no extra reminder messages.
 */
function nextReminderSlot(policy: Policy, rec: ContactRecord): number {
  // Every message, follow-ups included, is in sentTimes.
  const last = rec.sentTimes[rec.sentTimes.length - 1];
  return last === undefined ? 0 : last + policy.reminders.gapMinutes * 60_000;
}

/** Flushes every contact whose earliest item is due. */
export function flushDue(ctx: PolicyContext, nowMs: number): Notification[] {
  const out: Notification[] = [];
  for (const rec of ctx.store.contacts.values()) {
    if (rec.queue.length === 0) continue;
    if (rec.queue.some((i) => isDue(ctx, rec, i, nowMs))) out.push(...flushContact(ctx, rec, nowMs));
  }
  return out;
}

function hold(
  ctx: PolicyContext,
  rec: ContactRecord,
  item: QueueItem,
  reason: FoldReason,
  until: number,
): void {
  item.dueAt = Math.max(item.dueAt, until);
  if (!item.held?.includes(reason)) {
    item.held = [...(item.held ?? []), reason];
    if (isAlertItem(item)) ctx.store.countFold(reason, rec);
  }
}

/** Whether an item still has something to say (acknowledged or silenced alerts need no alert). */
function isStillNews(ctx: PolicyContext, item: QueueItem): boolean {
  const alert = ctx.store.alerts.get(item.alertId);
  if (!alert) return false;
  if (!isAlertItem(item)) return true;
  return alert.state === 'firing' && alert.suppressed === null;
}

/** Sends what is due for one contact, if quiet hours and limits allow. */
export function flushContact(ctx: PolicyContext, rec: ContactRecord, nowMs: number): Notification[] {
  const farm = ctx.registry.farms.get(rec.farmId);
  const contact = farm && contactOf(farm, rec.contactId);
  if (!farm || !contact || !isOptedIn(contact, rec.optedIn)) {
    const dropped = rec.queue.filter(isAlertItem).length;
    if (dropped > 0) ctx.store.countFold('opted-out', rec, dropped);
    rec.queue = [];
    ctx.store.touchContact(rec);
    return [];
  }
  const before = rec.queue.length;
  rec.queue = rec.queue.filter((i) => isStillNews(ctx, i));
  if (rec.queue.length !== before) ctx.store.touchContact(rec);
  if (!rec.queue.some((i) => isDue(ctx, rec, i, nowMs))) return [];

  const policy = farm.config.policy;
  let candidates = rec.queue;
  let triggers = rec.queue.filter((i) => isDue(ctx, rec, i, nowMs));
  const quiet = contact.quietHours;
  if (quiet && inLocalWindow(nowMs, quiet.start, quiet.end, farm.timezone)) {
    const end = nextLocalTime(nowMs, quiet.end, farm.timezone);
    const bypass = (i: QueueItem) =>
      policy.quietHours.criticalBypass && i.severity === 'critical' && i.type !== 'resolution';
    for (const i of rec.queue) if (!bypass(i)) hold(ctx, rec, i, 'quiet-hours', end);
    ctx.store.touchContact(rec);
    triggers = triggers.filter(bypass);
    if (triggers.length === 0) return [];
    // Notes of the night ride along with the critical message that wakes them anyway.
    candidates = rec.queue.filter((i) => bypass(i) || !isAlertItem(i));
  }

  // A message only follow-ups ask for: reminders only after a quiet gap (isDue), and a budget a day.
  // Past the budget they stop asking; they ride along with news or end in the digest.
  const followUpOnly = triggers.every(isFollowUp);
  if (followUpOnly) {
    rec.followUpTimes = (rec.followUpTimes ?? []).filter((t) => t > nowMs - DAY_MS);
    if (rec.followUpTimes.length >= policy.reminders.perDay) {
      for (const i of rec.queue.filter(isFollowUp)) {
        i.rideOnly = true;
        hold(ctx, rec, i, 'reminder-budget', i.dueAt);
      }
      ctx.store.touchContact(rec);
      return [];
    }
  }

  rec.sentTimes = rec.sentTimes.filter((t) => t > nowMs - DAY_MS);
  const lastHour = rec.sentTimes.filter((t) => t > nowMs - HOUR_MS);
  const overHour = lastHour.length >= policy.rateLimit.perHour;
  const overDay = rec.sentTimes.length >= policy.rateLimit.perDay;
  if (overHour || overDay) {
    // The bypass is for news: the first message about a critical alert, or its escalation. Reminders
    // wait like everything else (a contact who ignores them should not get more of them).
    const critical = candidates.some(
      (i) => (i.type === 'alert' || i.type === 'escalation') && i.severity === 'critical',
    );
    if (!(critical && policy.rateLimit.criticalBypass)) {
      const hourSlot = overHour
        ? (lastHour[lastHour.length - policy.rateLimit.perHour] ?? nowMs) + HOUR_MS
        : 0;
      const daySlot = overDay
        ? (rec.sentTimes[rec.sentTimes.length - policy.rateLimit.perDay] ?? nowMs) + DAY_MS
        : 0;
      const until = Math.max(hourSlot, daySlot, nowMs + 1);
      for (const i of candidates) hold(ctx, rec, i, 'rate-limit', until);
      ctx.store.touchContact(rec);
      return [];
    }
  }

  const composed = composeMessages({ farm, contact, alerts: ctx.store.alerts, items: candidates, nowMs });
  const gone = new Set([...composed.sent, ...composed.overflow].map((i) => i.key));
  rec.queue = rec.queue.filter((i) => !gone.has(i.key));
  if (composed.overflow.length > 0) ctx.store.countFold('list-cap', rec, composed.overflow.length);
  for (const item of composed.sent) {
    if (!isAlertItem(item)) continue;
    const alert = ctx.store.alerts.get(item.alertId);
    if (alert && !alert.told.includes(rec.contactId)) {
      alert.told.push(rec.contactId);
      ctx.store.touchAlert(alert);
    }
    rec.lastAlertId = item.alertId;
  }
  for (const _ of composed.notifications) rec.sentTimes.push(nowMs);
  if (followUpOnly && composed.notifications.length > 0)
    rec.followUpTimes = [...(rec.followUpTimes ?? []), nowMs];
  ctx.store.touchContact(rec);
  return composed.notifications;
}
