/**
 * The alert tables (migration 20): alerts with their policy record, their published history,
 * and per-contact and per-farm policy state. Saving a policy delta is one transaction, so a
 * restart resumes escalations, queues and limits exactly where they were.
 */
import type { AlertRecord, PolicyState, PolicyStateDelta } from '../alerts/types.js';
import type { AlertMessage } from '../telemetry/protocol.js';
import type { Db } from './db.js';

export interface AlertsRepo {
  /** Persists what the policy changed and the state changes published with it, atomically. */
  save(delta: PolicyStateDelta, changes?: readonly AlertMessage[]): void;
  /** State for `AlertPolicy.restore`: open alerts, closed ones changed since `closedSinceMs`, all contact and farm records. */
  load(closedSinceMs: number): PolicyState;
  get(alertId: string): AlertRecord | undefined;
  /** Published state changes of one alert, oldest first. */
  history(alertId: string): AlertMessage[];
  /** Alerts of a farm changed since `sinceMs`, newest first (operators, STATUS pages). */
  recent(farmId: string, sinceMs: number, limit?: number): AlertRecord[];
}

const OPEN = "('firing', 'acknowledged', 'snoozed')";

export function createAlertsRepo(db: Db): AlertsRepo {
  const upsertAlert = db.prepare(`
    INSERT INTO alerts (id, farm_id, cow_id, kind, severity, state, onset_ts, raised_ts, updated_at, record)
    VALUES (@id, @farmId, @cowId, @kind, @severity, @state, @onsetTs, @raisedTs, @updatedAt, @record)
    ON CONFLICT (id) DO UPDATE SET severity = excluded.severity, state = excluded.state,
      updated_at = excluded.updated_at, record = excluded.record`);
  const upsertContact = db.prepare(`
    INSERT INTO alert_contacts (farm_id, contact_id, record) VALUES (?, ?, ?)
    ON CONFLICT (farm_id, contact_id) DO UPDATE SET record = excluded.record`);
  const upsertFarm = db.prepare(`
    INSERT INTO alert_farms (farm_id, record) VALUES (?, ?)
    ON CONFLICT (farm_id) DO UPDATE SET record = excluded.record`);
  const insertEvent = db.prepare(
    'INSERT INTO alert_events (alert_id, farm_id, state, updated_ts, message) VALUES (?, ?, ?, ?, ?)',
  );
  const selectAlerts = db.prepare<[number], { record: string }>(
    `SELECT record FROM alerts WHERE state IN ${OPEN} OR updated_at >= ? ORDER BY raised_ts`,
  );
  const selectContacts = db.prepare<[], { record: string }>('SELECT record FROM alert_contacts');
  const selectFarms = db.prepare<[], { record: string }>('SELECT record FROM alert_farms');
  const selectOne = db.prepare<[string], { record: string }>('SELECT record FROM alerts WHERE id = ?');
  const selectHistory = db.prepare<[string], { message: string }>(
    'SELECT message FROM alert_events WHERE alert_id = ? ORDER BY id',
  );
  const selectRecent = db.prepare<[string, number, number], { record: string }>(
    'SELECT record FROM alerts WHERE farm_id = ? AND updated_at >= ? ORDER BY updated_at DESC LIMIT ?',
  );

  const save = db.transaction((delta: PolicyStateDelta, changes: readonly AlertMessage[]) => {
    for (const a of delta.alerts) {
      upsertAlert.run({
        id: a.id,
        farmId: a.farmId,
        cowId: a.cowId,
        kind: a.kind,
        severity: a.severity,
        state: a.state,
        onsetTs: a.onsetTs,
        raisedTs: a.raisedTs,
        updatedAt: a.updatedAt,
        record: JSON.stringify(a),
      });
    }
    for (const c of delta.contacts) upsertContact.run(c.farmId, c.contactId, JSON.stringify(c));
    for (const f of delta.farms) upsertFarm.run(f.farmId, JSON.stringify(f));
    for (const m of changes) insertEvent.run(m.alertId, m.farmId, m.state, m.updatedTs, JSON.stringify(m));
  });

  return {
    save: (delta, changes = []) => save(delta, changes),
    load: (closedSinceMs) => ({
      alerts: selectAlerts.all(closedSinceMs).map((r) => JSON.parse(r.record) as AlertRecord),
      contacts: selectContacts.all().map((r) => JSON.parse(r.record) as PolicyState['contacts'][number]),
      farms: selectFarms.all().map((r) => JSON.parse(r.record) as PolicyState['farms'][number]),
    }),
    get(alertId) {
      const row = selectOne.get(alertId);
      return row ? (JSON.parse(row.record) as AlertRecord) : undefined;
    },
    history: (alertId) => selectHistory.all(alertId).map((r) => JSON.parse(r.message) as AlertMessage),
    recent: (farmId, sinceMs, limit = 100) =>
      selectRecent.all(farmId, sinceMs, limit).map((r) => JSON.parse(r.record) as AlertRecord),
  };
}
