/**
 * When a message that could not go out is no longer worth sending as it is. A stale message is
 * folded, not failed: its text rides on the contact's next message (see carry.ts). Pure: the caller
 * passes the time, the settings and what it knows about the alerts.
 */
import type { Notification, NotificationPurpose } from '../alerts/notification.js';
import type { AlertState } from '../alerts/types.js';
import type { StaleAfterHours } from '../config/channels-schema.js';

/** Closed list (a metric label). */
export type StaleReason = 'alert-closed' | 'superseded' | 'too-old';

export interface StalenessContext {
  now: number;
  staleAfterHours: StaleAfterHours;
  /** The alert's state now; undefined when the alert is not known (then only age counts). */
  alertState?: ((alertId: string) => AlertState | undefined) | undefined;
  /** A newer digest to the same contact is queued on the same channel. */
  newerDigestQueued: boolean;
}

const AGE_GROUP: Record<NotificationPurpose, keyof StaleAfterHours> = {
  alert: 'alert',
  'grouped-alert': 'alert',
  escalation: 'alert',
  repeat: 'alert',
  'grouped-repeat': 'alert',
  operator: 'alert',
  resolution: 'resolution',
  digest: 'digest',
  'ack-notice': 'ackNotice',
  reply: 'reply',
};

/** Purposes that ask someone to act on an alert: pointless once nobody needs to act. */
const CALLS_TO_ACTION: ReadonlySet<NotificationPurpose> = new Set([
  'alert',
  'grouped-alert',
  'escalation',
  'repeat',
  'grouped-repeat',
]);

/** Why `n` is stale now, or null while it is still worth sending. */
export function staleReason(n: Notification, ctx: StalenessContext): StaleReason | null {
  if (n.purpose === 'digest' && ctx.newerDigestQueued) return 'superseded';
  if (ctx.alertState && n.alertIds.length > 0) {
    const states = n.alertIds.map((id) => ctx.alertState?.(id));
    // Someone took the alert, snoozed it or it cleared: the call to act is answered.
    if (CALLS_TO_ACTION.has(n.purpose) && states.every((s) => s !== undefined && s !== 'firing')) {
      return 'alert-closed';
    }
    // "Ravi is on it" means nothing once the alert is over.
    if (n.purpose === 'ack-notice' && states.every((s) => s === 'resolved' || s === 'expired')) {
      return 'alert-closed';
    }
  }
  const maxAgeMs = ctx.staleAfterHours[AGE_GROUP[n.purpose]] * 3_600_000;
  return ctx.now - n.createdAt >= maxAgeMs ? 'too-old' : null;
}
