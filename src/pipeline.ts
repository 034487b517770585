/**
 * The data path on one screen: admitted readings -> conditions (detect) -> alert decisions
 * (alerts) -> stored alert changes, messages in the outbox, alert messages on MQTT.
 *
 * Every step that turns readings into decisions runs inside the caller's SQLite transaction (the
 * ingest group commit, or the tick's own), so a reading acknowledged to its collar has its alert
 * decisions stored with it. Live and replay run these same steps with other sources and clocks.
 */

import type { Notification } from './alerts/notification.js';
import type { OperationResult } from './alerts/operations.js';
import type { AlertPolicy, PolicyOutput } from './alerts/policy.js';
import type { Registry } from './config/registry.js';
import type { Condition } from './detect/condition.js';
import type { Detector } from './detect/detector.js';
import type { PipelineMetrics } from './observability/pipeline-metrics.js';
import type { AlertsRepo } from './store/alerts-repo.js';
import type { Db } from './store/db.js';
import type { AdmittedReading } from './telemetry/ingest.js';
import { type AlertMessage, parseCollarTopic } from './telemetry/protocol.js';

/** A step that sees admitted readings too (tests, a recorder). */
export type ReadingStep = (readings: AdmittedReading[]) => void;

export interface PipelineDeps {
  db: Db;
  registry: () => Registry;
  detector: Detector;
  policy: AlertPolicy;
  alerts: AlertsRepo;
  /** Durable hand-over to the channels (the outbox), inside the same transaction. */
  deliver: (notifications: readonly Notification[]) => void;
  /** Alert state changes for the MQTT alert topic, after they are stored. */
  publish: (changes: readonly AlertMessage[]) => void;
  metrics: PipelineMetrics;
  extraSteps?: readonly ReadingStep[];
}

export interface Pipeline {
  /**
   * Readings from the ingest commit (already inside its transaction); `recovered` when they were
   * stored before a crash and are fed again (the extra steps saw them already).
   */
  readings(admitted: AdmittedReading[], nowMs: number, opts?: { recovered?: boolean }): void;
  /** A collar's presence message (`online`/`offline`, e.g. its MQTT last will); false if not valid. */
  acceptStatus(topic: string, payload: Buffer, nowMs: number): boolean;
  /** Time-driven work: silent collars, group waits, escalations, repeats, quiet hours ending. */
  tick(nowMs: number): void;
  /** The daily digest of one farm. */
  digest(farmId: string, nowMs: number): void;
  /** Stores and publishes what a farmer's reply changed (ack, snooze, stop), inside the webhook's transaction. */
  applyReply(result: Pick<OperationResult, 'changes'>): void;
}

export function createPipeline(deps: PipelineDeps): Pipeline {
  const steps = deps.extraSteps ?? [];

  /** Stores what the policy decided, hands messages to the outbox, then publishes the changes. */
  function commitDecisions(out: PolicyOutput): void {
    deps.alerts.save(deps.policy.takeDirtyState(), out.changes);
    deps.deliver(out.notifications);
    deps.metrics.countDecisions(out, deps.policy.takeStats());
    if (out.changes.length > 0) deps.publish(out.changes);
  }

  function decide(conditions: Condition[], nowMs: number): void {
    if (conditions.length === 0) return;
    deps.metrics.countConditions(conditions);
    commitDecisions(deps.policy.handle(conditions, nowMs));
  }

  const tickInTransaction = deps.db.transaction((nowMs: number) => {
    decide(deps.detector.tick(nowMs), nowMs);
    commitDecisions(deps.policy.tick(nowMs));
  });
  const digestInTransaction = deps.db.transaction((farmId: string, nowMs: number) => {
    commitDecisions(deps.policy.digest(farmId, nowMs));
  });
  const presenceInTransaction = deps.db.transaction(
    (farmId: string, collarId: string, cowId: string, status: 'online' | 'offline', nowMs: number) => {
      decide(deps.detector.collarStatus(farmId, collarId, cowId, status, nowMs), nowMs);
    },
  );

  return {
    readings(admitted, nowMs, opts) {
      if (opts?.recovered !== true) for (const step of steps) step(admitted);
      const conditions: Condition[] = [];
      for (const { reading, late } of admitted) {
        for (const condition of deps.detector.observe(reading, { late })) conditions.push(condition);
      }
      decide(conditions, nowMs);
    },
    acceptStatus(topic, payload, nowMs) {
      const where = parseCollarTopic(topic);
      const status = payload.toString('utf8').trim();
      if (where?.kind !== 'status' || (status !== 'online' && status !== 'offline')) return false;
      const owner = deps.registry().collarOwner(where.farmId, where.collarId);
      if (!owner) return false;
      presenceInTransaction(where.farmId, where.collarId, owner.cowId, status, nowMs);
      return true;
    },
    tick: (nowMs) => tickInTransaction(nowMs),
    digest: (farmId, nowMs) => digestInTransaction(farmId, nowMs),
    applyReply(result) {
      const changes = result.changes ?? [];
      deps.alerts.save(deps.policy.takeDirtyState(), changes);
      if (changes.length > 0) deps.publish(changes);
    },
  };
}
