/**
 * The operations behind a contact's replies (acknowledge, snooze, details, STOP, START, STATUS,
 * HELP), with authorization: only a contact of the alert's farm may change it.
 */
import { createHash } from 'node:crypto';
import type { Farm } from '../config/registry.js';
import type { Contact } from '../config/schema.js';
import { contactOf, emitChange, type PolicyContext } from './context.js';
import { flushContact } from './deliver.js';
import { describeAlert } from './describe.js';
import { summarize } from './digest.js';
import { localLabel, nextLocalTime } from './local-time.js';
import { type Catalogue, catalogueFor, fill } from './messages/catalogue.js';
import type { Notification } from './notification.js';
import type { OperationResult, SnoozeFor } from './operations.js';
import { isOptedIn } from './route.js';
import { type AlertRecord, OPEN_STATES } from './types.js';

interface Who {
  farm: Farm;
  contact: Contact;
}

type Reason = NonNullable<OperationResult['reason']>;

/** Every farm contact with this phone (one person may work for several farms). */
function whoIs(ctx: PolicyContext, phone: string): Who[] {
  const out: Who[] = [];
  for (const farm of ctx.registry.farms.values()) {
    const contact = farm.contacts.find((c) => c.phone === phone);
    if (contact) out.push({ farm, contact });
  }
  return out;
}

export function reply(
  who: Who,
  text: string,
  tag: string,
  nowMs: number,
  alertIds: string[] = [],
): Notification {
  const hash = createHash('sha256')
    .update(`${tag}\n${nowMs}\n${alertIds.join(',')}`)
    .digest('base64url');
  return {
    id: `${who.farm.id}.${who.contact.id}.reply-${hash.slice(0, 16)}`,
    farmId: who.farm.id,
    contactId: who.contact.id,
    phone: who.contact.phone,
    language: who.contact.language,
    purpose: 'reply',
    severity: 'info',
    alertIds,
    kinds: [],
    text,
    templateParams: [],
    buttons: [],
    createdAt: nowMs,
  };
}

const refuse = (reason: Reason, notifications: Notification[] = []): OperationResult => ({
  ok: false,
  reason,
  notifications,
});

type AlertAction = (
  ctx: PolicyContext,
  who: Who,
  alert: AlertRecord,
  cat: Catalogue,
  nowMs: number,
) => ActionResult;
interface ActionResult {
  ok: boolean;
  reason?: Reason;
  line: string;
  notifications?: Notification[];
}

/** Resolves the alert ids (or the contact's latest), checks who may act, applies `action` to each. */
function onAlerts(
  ctx: PolicyContext,
  phone: string,
  alertId: string | null,
  nowMs: number,
  tag: string,
  action: AlertAction,
): OperationResult {
  const who = whoIs(ctx, phone);
  const [first] = who;
  if (!first) return refuse('unknown-contact');
  const active = who.filter((w) => isOptedIn(w.contact, ctx.store.contact(w.farm.id, w.contact.id).optedIn));
  if (active.length === 0) return refuse('opted-out');
  const cat = catalogueFor(first.contact.language);
  const ids = alertId === null ? latestFor(ctx, active) : alertId.split(',').filter((s) => s.length > 0);
  if (ids.length === 0) return refuse('unknown-alert', [reply(first, cat.noOpenAlert, tag, nowMs)]);
  const lines: string[] = [];
  const notifications: Notification[] = [];
  let ok = false;
  let reason: Reason | undefined;
  let sender = first;
  for (const id of ids) {
    const alert = ctx.store.alerts.get(id);
    const me = alert && who.find((w) => w.farm.id === alert.farmId);
    let result: ActionResult;
    if (!alert) result = { ok: false, reason: 'unknown-alert', line: cat.noOpenAlert };
    else if (!me) result = { ok: false, reason: 'not-your-farm', line: cat.notYourFarm };
    else if (!active.includes(me)) result = { ok: false, reason: 'opted-out', line: '' };
    else {
      sender = me;
      result = action(ctx, me, alert, cat, nowMs);
    }
    ok ||= result.ok;
    if (!result.ok && reason === undefined) reason = result.reason;
    if (result.line !== '' && !lines.includes(result.line)) lines.push(result.line);
    notifications.push(...(result.notifications ?? []));
  }
  if (lines.length > 0) notifications.unshift(reply(sender, lines.join('\n'), tag, nowMs, ids));
  return ok ? { ok, notifications } : { ok, reason, notifications };
}

/** The latest open alert the contact was told about, else the farm's most recent open one. */
function latestFor(ctx: PolicyContext, who: Who[]): string[] {
  for (const w of who) {
    const last = ctx.store.contact(w.farm.id, w.contact.id).lastAlertId;
    const alert = last === null ? undefined : ctx.store.alerts.get(last);
    if (alert && alert.state !== 'resolved' && alert.state !== 'expired') return [alert.id];
  }
  let best: AlertRecord | undefined;
  for (const w of who) {
    for (const a of ctx.store.openAlerts(w.farm.id)) {
      if (a.told.includes(w.contact.id) && (!best || a.raisedTs > best.raisedTs)) best = a;
    }
  }
  return best ? [best.id] : [];
}

function nameOf(farm: Farm, contactId: string | null): string {
  return (contactId !== null && contactOf(farm, contactId)?.name) || '';
}

const closed = (alert: AlertRecord, cat: Catalogue): ActionResult | null =>
  OPEN_STATES.has(alert.state) ? null : { ok: false, reason: 'already-resolved', line: cat.alreadyResolved };

export const acknowledgeAlert: AlertAction = (ctx, me, alert, cat, nowMs) => {
  const done = closed(alert, cat);
  if (done) return done;
  const w = describeAlert(cat, me.farm, alert, nowMs);
  if (alert.state === 'acknowledged') {
    return { ok: false, line: fill(cat.alreadyAcked, { who: nameOf(me.farm, alert.ackedByContact) }) };
  }
  alert.state = 'acknowledged';
  alert.ackedByContact = me.contact.id;
  alert.nextEscalationAt = null;
  alert.nextRepeatAt = null;
  alert.snoozedUntil = null;
  emitChange(ctx, alert, nowMs);
  // "Ravi is on it" to everyone else who was told: now for critical alerts (quiet hours and limits
  // permitting), with the next message for the others.
  const notifications: Notification[] = [];
  for (const contactId of alert.told) {
    if (contactId === me.contact.id) continue;
    const rec = ctx.store.contact(me.farm.id, contactId);
    rec.queue.push({
      key: `ack:${alert.id}`,
      type: 'ack-notice',
      alertId: alert.id,
      severity: alert.severity,
      queuedAt: nowMs,
      dueAt: nowMs,
      by: me.contact.id,
      rideOnly: !me.farm.config.policy.notes.ownMessageFor.includes(alert.severity),
    });
    notifications.push(...flushContact(ctx, rec, nowMs));
  }
  return { ok: true, line: fill(cat.ackConfirm, { who: me.contact.name, cow: w.cow }), notifications };
};

export function snoozeAction(snoozeFor: SnoozeFor): AlertAction {
  return (ctx, me, alert, cat, nowMs) => {
    const done = closed(alert, cat);
    if (done) return done;
    const until =
      snoozeFor === 'until-tomorrow'
        ? nextLocalTime(nowMs, me.farm.config.policy.snoozeTomorrowAt, me.farm.timezone)
        : nowMs + Math.max(0, snoozeFor.hours) * 3_600_000;
    alert.state = 'snoozed';
    alert.snoozedUntil = until;
    alert.snoozedBy = me.contact.id;
    alert.nextEscalationAt = null;
    ctx.store.countFold('snoozed', null);
    emitChange(ctx, alert, nowMs);
    return { ok: true, line: fill(cat.snoozed, { until: localLabel(until, nowMs, me.farm.timezone) }) };
  };
}

export const detailsOf: AlertAction = (_ctx, me, alert, cat, nowMs) => {
  const w = describeAlert(cat, me.farm, alert, nowMs);
  const lines = [
    fill(cat.alert, { cow: w.cow, problem: w.problem, since: w.since, figure: w.figure, action: w.action }),
  ];
  for (const r of alert.related)
    lines.push(`+ ${cat.kinds[r.kind].problem} (${localLabel(r.ts, nowMs, me.farm.timezone)})`);
  if (alert.state === 'acknowledged')
    lines.push(fill(cat.alreadyAcked, { who: nameOf(me.farm, alert.ackedByContact) }));
  if (!OPEN_STATES.has(alert.state)) lines.push(cat.alreadyResolved);
  return { ok: true, line: lines.join('\n') };
};

/** STOP and START: the override survives restarts; STOP drops what was waiting for the contact. */
export function setOptIn(
  ctx: PolicyContext,
  phone: string,
  optedIn: boolean,
  nowMs: number,
): OperationResult {
  const who = whoIs(ctx, phone);
  const [first] = who;
  if (!first) return refuse('unknown-contact');
  let changed = false;
  for (const w of who) {
    const rec = ctx.store.contact(w.farm.id, w.contact.id);
    if (isOptedIn(w.contact, rec.optedIn) !== optedIn) changed = true;
    rec.optedIn = optedIn;
    if (!optedIn) {
      const dropped = rec.queue.filter((i) => i.type !== 'resolution' && i.type !== 'ack-notice').length;
      if (dropped > 0) ctx.store.countFold('opted-out', rec, dropped);
      rec.queue = [];
    }
    ctx.store.touchContact(rec);
  }
  const cat = catalogueFor(first.contact.language);
  const text = optedIn ? fill(cat.optedIn, { farm: who.map((w) => w.farm.name).join(', ') }) : cat.optedOut;
  const notifications = changed || !optedIn ? [reply(first, text, optedIn ? 'start' : 'stop', nowMs)] : [];
  return { ok: changed, notifications };
}

export function statusOf(ctx: PolicyContext, phone: string, nowMs: number): OperationResult {
  const who = whoIs(ctx, phone);
  const [first] = who;
  if (!first) return refuse('unknown-contact');
  const active = who.filter((w) => isOptedIn(w.contact, ctx.store.contact(w.farm.id, w.contact.id).optedIn));
  if (active.length === 0) return refuse('opted-out');
  const text = active
    .map(
      (w) =>
        summarize(
          ctx,
          w.farm,
          w.contact,
          ctx.store.farm(w.farm.id).lastDigestAt ?? nowMs - 86_400_000,
          0,
          nowMs,
        ).text,
    )
    .join('\n\n');
  return { ok: true, notifications: [reply(first, text, 'status', nowMs)] };
}

export function helpFor(ctx: PolicyContext, phone: string, nowMs: number): OperationResult {
  const [first] = whoIs(ctx, phone);
  if (!first) return refuse('unknown-contact');
  return {
    ok: true,
    notifications: [reply(first, catalogueFor(first.contact.language).help, 'help', nowMs)],
  };
}

export { onAlerts };
