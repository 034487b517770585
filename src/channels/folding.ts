/**
 * Folding, the outbox's alternative to failing: a message stale for its purpose (staleness.ts) is
 * recorded as folded with its reason and counted, and its text goes out with the contact's next
 * message on the same channel (carry.ts), marked as carried only once that message was accepted.
 */
import type { Notification } from '../alerts/notification.js';
import type { AlertState } from '../alerts/types.js';
import type { StaleAfterHours } from '../config/channels-schema.js';
import type { Logger } from '../observability/logger.js';
import type { OutboxRepo, OutboxRow } from '../store/outbox-repo.js';
import { withCarried } from './carry.js';
import type { OutboxMetrics } from './outbox-metrics.js';
import { type StaleReason, staleReason } from './staleness.js';

export interface FoldingDeps {
  repo: OutboxRepo;
  metrics: OutboxMetrics;
  logger: Logger;
  staleAfterHours: StaleAfterHours;
  alertState?: ((alertId: string) => AlertState | undefined) | undefined;
}

const WHY: Record<StaleReason, string> = {
  superseded: 'a newer digest to this contact replaces it',
  'alert-closed': 'its alerts were answered or closed before it could go out',
  'too-old': 'too old for its purpose (outbox.staleAfterHours); its text goes out with the next message',
};

export function createFolding(deps: FoldingDeps) {
  const { repo, metrics, logger: log } = deps;
  return {
    /** Per contact and channel (`channel|phone`), the creation time of the newest queued digest. */
    latestDigests(rows: readonly OutboxRow[]): Map<string, number> {
      const latest = new Map<string, number>();
      for (const r of rows) {
        if (r.notification.purpose !== 'digest') continue;
        const key = `${r.channel}|${r.notification.phone}`;
        latest.set(key, Math.max(latest.get(key) ?? 0, r.notification.createdAt));
      }
      return latest;
    },
    /** Folds `row` when it is stale now; true when it did. */
    foldIfStale(row: OutboxRow, now: number, newerDigestQueued: boolean): boolean {
      // Alert states are looked up only for messages that already waited (a failure or a pause).
      const waited = row.attempts > 0 || row.state === 'held';
      const reason = staleReason(row.notification, {
        now,
        staleAfterHours: deps.staleAfterHours,
        alertState: waited ? deps.alertState : undefined,
        newerDigestQueued,
      });
      if (!reason) return false;
      const { purpose, farmId, contactId } = row.notification;
      repo.markEnded(row.id, row.channel, 'folded', reason, WHY[reason], now);
      metrics.folded.labels(row.channel, purpose, reason).inc();
      log.info(
        {
          notificationId: row.id,
          channel: row.channel,
          farmId,
          contactId,
          purpose,
          reason,
          attempts: row.attempts,
        },
        'message folded into the next one to this contact',
      );
      return true;
    },
    /** The message to send for `row`, with the folded ones it carries. */
    carrying(row: OutboxRow): { message: Notification; carried: string[] } {
      const folded = repo.uncarried(row.channel, row.notification.phone, row.id);
      return {
        message: withCarried(
          row.notification,
          folded.map((r) => r.notification),
        ),
        carried: folded.map((r) => r.id),
      };
    },
    /** The carrying message was accepted: the folded ones are told. */
    carried(ids: readonly string[], row: OutboxRow, now: number): void {
      if (ids.length > 0) repo.markCarried(ids, row.channel, row.id, now);
    },
  };
}
