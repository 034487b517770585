/**
 * The herd's state in one message: open alerts, resolved ones, cows in heat with the insemination
 * window, collars with low battery, and what the limits held back. Used for the daily digest
 * (scheduled by the app with node-cron at policy.digestAt; a contact in quiet hours gets it when
 * they end) and for STATUS.
 */
import type { Farm } from '../config/registry.js';
import type { Contact } from '../config/schema.js';
import { byUrgency, notificationId } from './compose.js';
import { contactOf, type PolicyContext } from './context.js';
import { describeAlert, heatWindow, templateParam } from './describe.js';
import { inLocalWindow, localDate, nextLocalTime } from './local-time.js';
import { catalogueFor, fill } from './messages/catalogue.js';
import type { Notification } from './notification.js';
import { isOptedIn } from './route.js';
import { type AlertRecord, type ContactRecord, OPEN_STATES } from './types.js';

const DAY_MS = 86_400_000;

export interface HerdSummary {
  /** One line for the template parameter. */
  line: string;
  /** The session text. */
  text: string;
}

/**
 * Summary of the farm in the contact's language: alerts open now, and those resolved (and heats
 * begun) from `sinceMs` up to `untilMs` (the digest's own time: a digest held for quiet hours does
 * not count what the next one will); `held` messages folded away.
 */
export function summarize(
  ctx: PolicyContext,
  farm: Farm,
  contact: Contact,
  sinceMs: number,
  held: number,
  nowMs: number,
  untilMs = nowMs,
): HerdSummary {
  const cat = catalogueFor(contact.language);
  const alerts = [...ctx.store.alerts.values()].filter(
    (a) => a.farmId === farm.id && a.suppressed !== 'late',
  );
  const open = alerts.filter((a) => OPEN_STATES.has(a.state));
  const within = (ts: number) => ts >= sinceMs && ts <= untilMs;
  const resolved = alerts.filter((a) => !OPEN_STATES.has(a.state) && within(a.updatedAt));
  const heat = alerts.filter((a) => a.kind === 'heat' && (OPEN_STATES.has(a.state) || within(a.raisedTs)));
  const battery = open.filter((a) => a.kind === 'battery-low');
  const words = (a: AlertRecord) => describeAlert(cat, farm, a, nowMs);
  const ranked = [...open].sort((a, b) =>
    byUrgency(ctx.store.alerts)(
      { key: a.id, type: 'alert', alertId: a.id, severity: a.severity, queuedAt: 0, dueAt: 0 },
      { key: b.id, type: 'alert', alertId: b.id, severity: b.severity, queuedAt: 0, dueAt: 0 },
    ),
  );
  const max = farm.config.policy.maxListed;
  const parts: string[] = [];
  if (open.length > 0) {
    const listed = ranked.slice(0, max).map((a) => `${words(a).cowShort} ${words(a).problem}`);
    const more = open.length > max ? ` ${fill(cat.more, { n: open.length - max })}` : '';
    parts.push(`${fill(cat.digest.open, { n: open.length })} (${listed.join(', ')}${more})`);
  }
  if (resolved.length > 0) parts.push(fill(cat.digest.resolved, { n: resolved.length }));
  if (heat.length > 0) {
    const list = heat.map((a) => `${words(a).cowShort} ${heatWindow(cat, farm, a.onsetTs, nowMs)}`);
    parts.push(fill(cat.digest.heat, { list: list.join(', ') }));
  }
  if (battery.length > 0) {
    parts.push(fill(cat.digest.battery, { list: battery.map((a) => words(a).cowShort).join(', ') }));
  }
  if (held > 0) parts.push(fill(cat.digest.held, { n: held }));
  if (parts.length === 0) parts.push(cat.digest.quiet);
  return { line: parts.join('; '), text: `${farm.name}\n${parts.map((p) => `• ${p}`).join('\n')}` };
}

/**
 * The daily digest to every opted-in contact of the digest roles; folds held items into it. A
 * contact in quiet hours gets it when they end (stored on the contact, sent by `flushDueDigests`).
 */
export function buildDigest(ctx: PolicyContext, farmId: string, nowMs: number): Notification[] {
  const farm = ctx.registry.farms.get(farmId);
  if (!farm) return [];
  const farmRec = ctx.store.farm(farmId);
  const since = farmRec.lastDigestAt ?? nowMs - DAY_MS;
  const date = localDate(nowMs, farm.timezone);
  const out: Notification[] = [];
  for (const contact of farm.contacts) {
    const rec = ctx.store.contact(farm.id, contact.id);
    if (!isOptedIn(contact, rec.optedIn) || !farm.config.policy.digestRoles.includes(contact.role)) {
      // Ride-only notes end here for those without a digest too: they had their chance.
      dropRideOnly(ctx, rec);
      continue;
    }
    const quiet = contact.quietHours;
    if (quiet && inLocalWindow(nowMs, quiet.start, quiet.end, farm.timezone)) {
      // Kept if one is already waiting (a second run the same night): it reports from the earlier mark.
      rec.pendingDigest ??= {
        dueAt: nextLocalTime(nowMs, quiet.end, farm.timezone),
        sinceMs: since,
        untilMs: nowMs,
        date,
      };
      ctx.store.touchContact(rec);
      continue;
    }
    out.push(digestFor(ctx, farm, contact, rec, { sinceMs: since, untilMs: nowMs, date }, nowMs));
  }
  farmRec.lastDigestAt = nowMs;
  ctx.store.touchFarm(farmRec);
  // Closed alerts reported in an earlier digest are no longer needed in memory (the store keeps them).
  ctx.store.pruneClosed(farm.id, since);
  return out;
}

/** Digests that waited for the end of a contact's quiet hours and are due now. */
export function flushDueDigests(ctx: PolicyContext, nowMs: number): Notification[] {
  const out: Notification[] = [];
  for (const rec of ctx.store.contacts.values()) {
    const pending = rec.pendingDigest;
    if (!pending || pending.dueAt > nowMs) continue;
    const farm = ctx.registry.farms.get(rec.farmId);
    const contact = farm && contactOf(farm, rec.contactId);
    rec.pendingDigest = null;
    ctx.store.touchContact(rec);
    if (!farm || !contact || !isOptedIn(contact, rec.optedIn)) continue;
    // A reload may have taken the digest from this contact's role in the meantime.
    if (!farm.config.policy.digestRoles.includes(contact.role)) continue;
    const quiet = contact.quietHours;
    if (quiet && inLocalWindow(nowMs, quiet.start, quiet.end, farm.timezone)) {
      // The quiet hours moved (config change): wait for their new end.
      rec.pendingDigest = { ...pending, dueAt: nextLocalTime(nowMs, quiet.end, farm.timezone) };
      continue;
    }
    out.push(digestFor(ctx, farm, contact, rec, pending, nowMs));
  }
  return out;
}

function digestFor(
  ctx: PolicyContext,
  farm: Farm,
  contact: Contact,
  rec: ContactRecord,
  period: { sinceMs: number; untilMs?: number | undefined; date: string },
  nowMs: number,
): Notification {
  // Ride-only notes end here: the digest's "resolved" count says it.
  dropRideOnly(ctx, rec);
  const held = takeHeld(ctx, rec);
  const summary = summarize(ctx, farm, contact, period.sinceMs, held, nowMs, period.untilMs ?? nowMs);
  rec.sentTimes.push(nowMs);
  ctx.store.touchContact(rec);
  return {
    id: notificationId(farm.id, contact.id, [`digest:${period.date}`]),
    farmId: farm.id,
    contactId: contact.id,
    phone: contact.phone,
    language: contact.language,
    purpose: 'digest',
    severity: 'info',
    alertIds: [],
    kinds: [],
    text: summary.text,
    templateParams: [templateParam(farm.name), templateParam(summary.line)],
    buttons: [],
    createdAt: nowMs,
  };
}

function dropRideOnly(ctx: PolicyContext, rec: ContactRecord): void {
  if (!rec.queue.some((i) => i.rideOnly)) return;
  rec.queue = rec.queue.filter((i) => !i.rideOnly);
  ctx.store.touchContact(rec);
}

/**
 * Items the rate limit still holds are reported by the digest instead of being sent later; returns
 * how many alert messages the limits folded away since the last digest (rate limit, list cap and
 * reminders past the daily reminder budget).
 */
function takeHeld(ctx: PolicyContext, rec: ContactRecord): number {
  rec.queue = rec.queue.filter((i) => !i.held?.includes('rate-limit'));
  const folded =
    (rec.folded['rate-limit'] ?? 0) + (rec.folded['list-cap'] ?? 0) + (rec.folded['reminder-budget'] ?? 0);
  rec.folded = {};
  ctx.store.touchContact(rec);
  return folded;
}
