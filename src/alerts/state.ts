/**
 * The policy's in-memory state with dirty tracking: every record a stage changes is marked, and
 * `takeDirty()` hands the changed ones to the store. Also the open-alert index used for
 * deduplication by (farm, cow, kind) and the counters behind the metrics.
 */
import type { AlertKind } from '../telemetry/protocol.js';
import {
  type AlertRecord,
  type ContactRecord,
  type FarmRecord,
  type FoldReason,
  OPEN_STATES,
  type PolicyState,
  type PolicyStats,
  type SuppressReason,
} from './types.js';

export function dedupKey(farmId: string, cowId: string | null, kind: AlertKind): string {
  return `${farmId}|${cowId ?? '*'}|${kind}`;
}

function contactKey(farmId: string, contactId: string): string {
  return `${farmId}|${contactId}`;
}

export class PolicyStore {
  readonly alerts = new Map<string, AlertRecord>();
  readonly #open = new Map<string, string>();
  readonly contacts = new Map<string, ContactRecord>();
  readonly farms = new Map<string, FarmRecord>();
  #dirtyAlerts = new Set<string>();
  #dirtyContacts = new Set<string>();
  #dirtyFarms = new Set<string>();
  #stats: PolicyStats = { folded: {}, suppressed: {} };

  restore(state: PolicyState): void {
    for (const alert of state.alerts) this.putAlert(alert, false);
    for (const c of state.contacts) this.contacts.set(contactKey(c.farmId, c.contactId), c);
    for (const f of state.farms) this.farms.set(f.farmId, f);
  }

  /** Adds or replaces an alert and keeps the open index in step with its state. */
  putAlert(alert: AlertRecord, dirty = true): void {
    this.alerts.set(alert.id, alert);
    const key = dedupKey(alert.farmId, alert.cowId, alert.kind);
    if (OPEN_STATES.has(alert.state)) this.#open.set(key, alert.id);
    else if (this.#open.get(key) === alert.id) this.#open.delete(key);
    if (dirty) this.#dirtyAlerts.add(alert.id);
  }

  /** Marks an alert changed (after mutating it in place). */
  touchAlert(alert: AlertRecord): void {
    this.putAlert(alert);
  }

  openAlert(farmId: string, cowId: string | null, kind: AlertKind): AlertRecord | undefined {
    const id = this.#open.get(dedupKey(farmId, cowId, kind));
    return id === undefined ? undefined : this.alerts.get(id);
  }

  *openAlerts(farmId?: string): Iterable<AlertRecord> {
    for (const id of this.#open.values()) {
      const alert = this.alerts.get(id);
      if (alert && (farmId === undefined || alert.farmId === farmId)) yield alert;
    }
  }

  /** Forgets closed alerts last changed before `beforeMs` (they stay in the database). */
  /** Nothing open, queued or held: time passing changes nothing until the next digest or condition. */
  isIdle(): boolean {
    if (this.#open.size > 0) return false;
    for (const c of this.contacts.values()) if (c.queue.length > 0 || c.pendingDigest) return false;
    return true;
  }

  pruneClosed(farmId: string, beforeMs: number): void {
    for (const [id, alert] of this.alerts) {
      if (alert.farmId === farmId && !OPEN_STATES.has(alert.state) && alert.updatedAt < beforeMs) {
        this.alerts.delete(id);
      }
    }
  }

  contact(farmId: string, contactId: string): ContactRecord {
    const key = contactKey(farmId, contactId);
    let record = this.contacts.get(key);
    if (!record) {
      record = { farmId, contactId, optedIn: null, sentTimes: [], queue: [], folded: {}, lastAlertId: null };
      this.contacts.set(key, record);
    }
    return record;
  }

  touchContact(record: ContactRecord): void {
    this.#dirtyContacts.add(contactKey(record.farmId, record.contactId));
  }

  farm(farmId: string): FarmRecord {
    let record = this.farms.get(farmId);
    if (!record) {
      record = { farmId, lastDigestAt: null };
      this.farms.set(farmId, record);
    }
    return record;
  }

  touchFarm(record: FarmRecord): void {
    this.#dirtyFarms.add(record.farmId);
  }

  countFold(reason: FoldReason, contact: ContactRecord | null, n = 1): void {
    this.#stats.folded[reason] = (this.#stats.folded[reason] ?? 0) + n;
    if (contact) {
      contact.folded[reason] = (contact.folded[reason] ?? 0) + n;
      this.touchContact(contact);
    }
  }

  countSuppressed(reason: SuppressReason): void {
    this.#stats.suppressed[reason] = (this.#stats.suppressed[reason] ?? 0) + 1;
  }

  takeStats(): PolicyStats {
    const stats = this.#stats;
    this.#stats = { folded: {}, suppressed: {} };
    return stats;
  }

  /** Records changed since the last call; the caller serialises them before the next policy call. */
  takeDirty(): PolicyState {
    const pick = <T>(keys: Set<string>, map: Map<string, T>): T[] =>
      [...keys].flatMap((k) => {
        const v = map.get(k);
        return v === undefined ? [] : [v];
      });
    const delta = {
      alerts: pick(this.#dirtyAlerts, this.alerts),
      contacts: pick(this.#dirtyContacts, this.contacts),
      farms: pick(this.#dirtyFarms, this.farms),
    };
    this.#dirtyAlerts = new Set();
    this.#dirtyContacts = new Set();
    this.#dirtyFarms = new Set();
    return delta;
  }
}
