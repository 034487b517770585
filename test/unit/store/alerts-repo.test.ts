/**
 * The alert tables on a real SQLite file: a policy's state survives a restart, so an escalation
 * in progress continues with the next contact, queues and limits carry over, and the history of
 * every published state change is kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Notification } from '../../../src/alerts/notification.js';
import { type AlertPolicy, createAlertPolicy } from '../../../src/alerts/policy.js';
import { ManualClock } from '../../../src/clock.js';
import { createAlertsRepo } from '../../../src/store/alerts-repo.js';
import { type Db, openDb } from '../../../src/store/db.js';
import type { AlertMessage } from '../../../src/telemetry/protocol.js';
import { cond, HOUR, MIN, PHONES, SEC, T0, testRegistry } from '../alerts/support.js';

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cowbell-alerts-'));
  dirs.push(dir);
  return join(dir, 'cowbell.db');
}

/** A daemon's view: the policy plus the repository, persisting after every call as the app does. */
function start(path: string, clock: ManualClock) {
  const db = openDb(path);
  dbs.push(db);
  const repo = createAlertsRepo(db);
  const policy: AlertPolicy = createAlertPolicy({ registry: testRegistry() });
  policy.restore(repo.load(clock.now() - 3 * 24 * 60 * MIN));
  const persist = <T extends { changes?: AlertMessage[] | undefined }>(out: T): T => {
    repo.save(policy.takeDirtyState(), out.changes ?? []);
    return out;
  };
  const runFor = (ms: number): Notification[] => {
    const sent: Notification[] = [];
    const end = clock.now() + ms;
    while (clock.now() < end) {
      clock.advanceBy(5 * SEC);
      sent.push(...persist(policy.tick(clock.now())).notifications);
    }
    return sent;
  };
  return { db, repo, policy, persist, runFor };
}

describe('alerts repository', () => {
  it('continues an escalation after a restart in the middle of it', () => {
    const path = tempDbPath();
    const clock = new ManualClock(T0);
    const first = start(path, clock);
    first.persist(first.policy.handle([cond('daisy', 'calving', 'critical', clock.now())], clock.now()));
    expect(first.runFor(MIN).map((n) => n.contactId)).toEqual(['ravi']);
    expect(first.runFor(10 * MIN).map((n) => [n.contactId, n.purpose])).toEqual([['ana', 'escalation']]);
    first.db.close();
    dbs.splice(dbs.indexOf(first.db), 1);

    // Restarted 3 minutes later: the next step (Dr Singh is not routed calving: she only takes
    // fever and illness) is the final call to everyone but Ana, who was called last: for Ravi,
    // who was told, a reminder, sent once he has had an hour without messages.
    clock.advanceBy(3 * MIN);
    const second = start(path, clock);
    const next = second.runFor(48 * MIN);
    expect(next.map((n) => [n.contactId, n.purpose])).toEqual([['ravi', 'repeat']]);
    // Acknowledging after the restart stops it and tells the others who were told.
    const ack = second.persist(second.policy.acknowledge(PHONES.ana, null, clock.now()));
    expect(ack.ok).toBe(true);
    expect(ack.notifications.map((n) => [n.contactId, n.purpose]).sort()).toEqual([
      ['ana', 'reply'],
      ['ravi', 'ack-notice'],
    ]);
    expect(second.runFor(3 * 60 * MIN)).toEqual([]);

    const id = ack.changes?.[0]?.alertId ?? '';
    expect(second.repo.get(id)?.state).toBe('acknowledged');
    expect(second.repo.history(id).map((m) => m.state)).toEqual(['firing', 'acknowledged']);
  });

  it('keeps opt-outs, rate-limit times and waiting messages across a restart', () => {
    const path = tempDbPath();
    const clock = new ManualClock(T0);
    const first = start(path, clock);
    first.persist(first.policy.optOut(PHONES.ana, clock.now()));
    first.persist(first.policy.handle([cond('daisy', 'lameness', 'warning', clock.now())], clock.now()));
    first.runFor(MIN); // Ravi's message waits in the 10-minute group
    first.db.close();
    dbs.splice(dbs.indexOf(first.db), 1);

    const second = start(path, clock);
    const sent = second.runFor(10 * MIN);
    expect(sent.map((n) => [n.contactId, n.purpose])).toEqual([['ravi', 'alert']]);
  });

  it('keeps a digest waiting for the end of quiet hours across a restart', () => {
    const path = tempDbPath();
    const clock = new ManualClock(Date.parse('2026-11-25T23:00:00Z')); // 04:00 on the farm
    const first = start(path, clock);
    const now = first.persist(first.policy.digest('demo', clock.now())).notifications;
    expect(now.map((n) => n.contactId)).toEqual(['ana']); // Ravi's quiet hours run until 05:30
    first.runFor(HOUR);
    first.db.close();
    dbs.splice(dbs.indexOf(first.db), 1);

    const second = start(path, clock);
    const sent = second.runFor(HOUR);
    expect(sent.map((n) => [n.contactId, n.purpose, n.createdAt])).toEqual([
      ['ravi', 'digest', Date.parse('2026-11-26T00:30:00Z')],
    ]);
  });

  it('restores closed alerts only from the requested window, and every open one', () => {
    const db = openDb(tempDbPath());
    dbs.push(db);
    const repo = createAlertsRepo(db);
    const policy = createAlertPolicy({ registry: testRegistry() });
    const lame = cond('daisy', 'lameness', 'warning', T0);
    policy.handle([lame, cond('bella', 'lameness', 'warning', T0)], T0);
    policy.handle([{ ...lame, change: 'cleared', ts: T0 + MIN }], T0 + MIN);
    repo.save(policy.takeDirtyState());
    expect(
      repo
        .load(T0)
        .alerts.map((a) => a.cowId)
        .sort(),
    ).toEqual(['bella', 'daisy']);
    expect(repo.load(T0 + 2 * MIN).alerts.map((a) => a.cowId)).toEqual(['bella']);
    expect(repo.recent('demo', T0)).toHaveLength(2);
  });
});
