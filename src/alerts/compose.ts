/**
 * Turns the items due for one contact into messages: one alert, an escalation, a reminder, or a
 * grouped list (most urgent first, capped, "and N more"), with resolution notes and ack notices
 * riding along where the message's template has room for them.
 */
import { createHash } from 'node:crypto';
import type { Farm } from '../config/registry.js';
import type { Contact } from '../config/schema.js';
import type { AlertKind, Severity } from '../telemetry/protocol.js';
import { type AlertWords, describeAlert, templateParam } from './describe.js';
import { type Catalogue, catalogueFor, fill } from './messages/catalogue.js';
import type { Notification, NotificationButton, NotificationPurpose } from './notification.js';
import type { AlertRecord, QueueItem } from './types.js';

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
const TYPE_RANK: Record<QueueItem['type'], number> = {
  escalation: 0,
  alert: 1,
  repeat: 2,
  'ack-notice': 3,
  resolution: 4,
};
/** WhatsApp limit on a button payload. */
const MAX_PAYLOAD = 256;

export interface ComposeInput {
  farm: Farm;
  contact: Contact;
  alerts: ReadonlyMap<string, AlertRecord>;
  /** Due items, already filtered by quiet hours; riders included. */
  items: QueueItem[];
  nowMs: number;
}

export interface Composed {
  notifications: Notification[];
  /** Items the messages carry (the rest stay queued). */
  sent: QueueItem[];
  /** Alert items left out by the length cap ("and N more"). */
  overflow: QueueItem[];
}

export function isAlertItem(item: QueueItem): boolean {
  return item.type === 'alert' || item.type === 'escalation' || item.type === 'repeat';
}

export function byUrgency(alerts: ReadonlyMap<string, AlertRecord>) {
  return (a: QueueItem, b: QueueItem): number =>
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    TYPE_RANK[a.type] - TYPE_RANK[b.type] ||
    (alerts.get(a.alertId)?.raisedTs ?? 0) - (alerts.get(b.alertId)?.raisedTs ?? 0) ||
    a.key.localeCompare(b.key);
}

export function composeMessages(input: ComposeInput): Composed {
  const { farm, contact, alerts, nowMs } = input;
  const cat = catalogueFor(contact.language);
  const items = input.items.filter((i) => alerts.has(i.alertId)).sort(byUrgency(alerts));
  const words = (i: QueueItem): AlertWords =>
    describeAlert(cat, farm, alerts.get(i.alertId) as AlertRecord, nowMs);
  const alertItems = items.filter(isAlertItem);
  // Notes beyond the list cap are not worth a longer message: the digest counts them.
  const notes = items.filter((i) => !isAlertItem(i));
  const riders = notes.slice(0, farm.config.policy.maxListed);
  const dropped = notes.slice(farm.config.policy.maxListed);
  const base = { farm, contact, alerts, nowMs, cat, words };

  if (alertItems.length === 0) {
    const notifications: Notification[] = [];
    for (const type of ['ack-notice', 'resolution'] as const) {
      const group = riders.filter((r) => r.type === type);
      if (group.length > 0) notifications.push(riderMessage(base, type, group));
    }
    return { notifications, sent: riders, overflow: dropped };
  }
  const [first] = alertItems;
  if (alertItems.length === 1 && first) {
    // An escalation's template has no room for notes: they wait for the next message.
    const carried = first.type === 'escalation' ? [] : riders;
    return {
      notifications: [singleMessage(base, first, carried)],
      sent: [first, ...carried],
      overflow: first.type === 'escalation' ? [] : dropped,
    };
  }
  const max = farm.config.policy.maxListed;
  const listed = alertItems.slice(0, max);
  const overflow = alertItems.slice(max);
  return {
    notifications: [groupedMessage(base, listed, overflow, riders)],
    sent: [...listed, ...riders],
    overflow: [...overflow, ...dropped],
  };
}

interface Base {
  farm: Farm;
  contact: Contact;
  alerts: ReadonlyMap<string, AlertRecord>;
  nowMs: number;
  cat: Catalogue;
  words: (i: QueueItem) => AlertWords;
}

function riderLine(b: Base, item: QueueItem): string {
  const w = b.words(item);
  if (item.type === 'resolution') return fill(b.cat.resolved, { cow: w.cowShort, problem: w.problem });
  const who = b.farm.contacts.find((c) => c.id === item.by)?.name ?? item.by ?? '';
  return fill(b.cat.ackNotice, { who, cow: w.cowShort, problem: w.problem });
}

function alertText(b: Base, w: AlertWords): string {
  return fill(b.cat.alert, {
    cow: w.cow,
    problem: w.problem,
    since: w.since,
    figure: w.figure,
    action: w.action,
  });
}

function singleMessage(b: Base, item: QueueItem, riders: QueueItem[]): Notification {
  const alert = b.alerts.get(item.alertId) as AlertRecord;
  const w = b.words(item);
  const notes = riders.map((r) => riderLine(b, r));
  let purpose: NotificationPurpose;
  let text: string;
  let params: string[];
  let buttons: NotificationButton[];
  if (item.type === 'escalation') {
    purpose = 'escalation';
    text = `${fill(b.cat.escalation, { contact: b.contact.name, cow: w.cow, problem: w.problem, since: w.since })}\n${alertText(b, w)}`;
    params = [b.contact.name, w.cow, w.problem, w.since];
    buttons = makeButtons(b.cat, ['ack', 'details'], [alert.id]);
  } else {
    purpose = item.type === 'repeat' ? 'repeat' : 'alert';
    const body = alertText(b, w);
    text = item.type === 'repeat' ? fill(b.cat.repeat, { text: body }) : body;
    const action = notes.length > 0 ? `${w.action}. ${notes.join(' ')}` : w.action;
    params = [w.cow, w.problem, w.since, w.figure, action];
    buttons = makeButtons(b.cat, ['ack', 'snooze', 'details'], [alert.id]);
  }
  if (notes.length > 0) text = `${text}\n${notes.join('\n')}`;
  const location = locationOf(alert, w.cow);
  return notification(b, purpose, [item, ...riders], text, params, buttons, location);
}

function groupedMessage(
  b: Base,
  listed: QueueItem[],
  overflow: QueueItem[],
  riders: QueueItem[],
): Notification {
  const more = overflow.length;
  const cows = listed.map((i) => {
    const w = b.words(i);
    return { line: fill(b.cat.groupedLine, { cow: w.cowShort, problem: w.problem }), w };
  });
  const notes = riders.map((r) => riderLine(b, r));
  const moreNote = more > 0 ? fill(b.cat.more, { n: more }) : b.cat.noMore;
  const count = fill(b.cat.grouped, { count: listed.length + more });
  // Reminders only (news past the list cap too would be news): one message listing what is still
  // open, said to be a reminder, in the session text and (through the purpose) in the template sent
  // outside the 24-hour window.
  const reminders = [...listed, ...overflow].every((i) => i.type === 'repeat');
  const heading = reminders ? fill(b.cat.repeat, { text: count }) : count;
  const lines = cows.map(
    ({ w }) => `• ${w.cow}: ${w.problem}, ${w.since}${w.noFigure ? '' : `, ${w.figure}`}`,
  );
  const text = [heading, ...lines, ...(more > 0 ? [moreNote] : []), ...notes].join('\n');
  const params = [String(listed.length + more), [...cows.map((c) => c.line), ...notes].join('; '), moreNote];
  const ids = listed.map((i) => i.alertId);
  const buttons = makeButtons(b.cat, ['ack', 'snooze', 'details'], [...new Set(ids)]);
  const purpose = reminders ? 'grouped-repeat' : 'grouped-alert';
  return notification(b, purpose, [...listed, ...riders], text, params, buttons, undefined);
}

function riderMessage(b: Base, type: 'ack-notice' | 'resolution', group: QueueItem[]): Notification {
  const text = group.map((r) => riderLine(b, r)).join('\n');
  const ws = group.map((r) => b.words(r));
  const join = (xs: string[]) => [...new Set(xs)].join(', ');
  const params =
    type === 'resolution'
      ? [join(ws.map((w) => w.cow)), join(ws.map((w) => w.problem))]
      : [
          join(group.map((r) => b.farm.contacts.find((c) => c.id === r.by)?.name ?? r.by ?? '')),
          join(ws.map((w) => w.cow)),
          join(ws.map((w) => w.problem)),
        ];
  return notification(b, type, group, text, params, [], undefined);
}

/** Quick replies: payload "<action>:<alertId>[,<alertId>...]"; the operations accept the list. */
function makeButtons(
  cat: Catalogue,
  actions: ('ack' | 'snooze' | 'details')[],
  ids: string[],
): NotificationButton[] {
  let list = '';
  for (const id of ids) {
    const next = list === '' ? id : `${list},${id}`;
    if (next.length + 'details:'.length > MAX_PAYLOAD) break;
    list = next;
  }
  return actions.map((a) => ({ id: `${a}:${list}`, title: cat.buttons[a] }));
}

function locationOf(alert: AlertRecord, name: string): Notification['location'] {
  const { lat, lon } = alert.evidence;
  if (alert.kind !== 'geofence' || typeof lat !== 'number' || typeof lon !== 'number') return undefined;
  return { lat, lon, name };
}

function notification(
  b: Base,
  purpose: NotificationPurpose,
  items: QueueItem[],
  text: string,
  params: string[],
  buttons: NotificationButton[],
  location: Notification['location'],
): Notification {
  const alertIds = [...new Set(items.map((i) => i.alertId))];
  const records = alertIds.flatMap((id) => {
    const a = b.alerts.get(id);
    return a ? [a] : [];
  });
  const kinds = [...new Set(records.map((a) => a.kind))] as AlertKind[];
  const severity = items.reduce<Severity>(
    (best, i) => (SEVERITY_RANK[i.severity] < SEVERITY_RANK[best] ? i.severity : best),
    'info',
  );
  const raised = items.filter(isAlertItem).map((i) => b.alerts.get(i.alertId)?.raisedTs ?? Infinity);
  const raisedTs = raised.length > 0 ? Math.min(...raised) : undefined;
  return {
    id: notificationId(
      b.farm.id,
      b.contact.id,
      items.map((i) => i.key),
    ),
    farmId: b.farm.id,
    contactId: b.contact.id,
    phone: b.contact.phone,
    language: b.contact.language,
    purpose,
    severity,
    alertIds,
    kinds,
    text,
    templateParams: params.map(templateParam),
    buttons,
    location,
    createdAt: b.nowMs,
    raisedTs: raisedTs === undefined || !Number.isFinite(raisedTs) ? undefined : raisedTs,
  };
}

/**
 * The id is a hash of the items the message carries: a policy that crashed before persisting and
 * decides the same again produces the same id, which the outbox then sends only once.
 */
export function notificationId(farmId: string, contactId: string, keys: string[]): string {
  const hash = createHash('sha256')
    .update([...keys].sort().join('\n'))
    .digest('base64url')
    .slice(0, 16);
  return `${farmId}.${contactId}.${hash}`;
}
