/**
 * Inhibition: which open alert makes a new one not worth a message of its own.
 * - collar-offline silences the cow's alerts that come from the collar's data;
 * - a herd-level alert absorbs the cow-level alerts it explains;
 * - a cow already alerted for a cause is not re-alerted for its consequence (the evidence is added).
 * Silenced alerts are stored, published and in the digest; they are routed when the silencer ends.
 */
import type { AlertKind } from '../telemetry/protocol.js';
import { emitChange, type PolicyContext } from './context.js';
import type { AlertRecord, SuppressReason } from './types.js';

/** Kinds computed from the collar's readings: meaningless while the collar is silent. */
const DATA_DRIVEN: ReadonlySet<AlertKind> = new Set([
  'fever',
  'illness',
  'heat',
  'lameness',
  'calving',
  'geofence',
  'sensor-fault',
]);

/** Herd-level kinds and the cow-level kinds they explain (a hot day: temperatures up, rumination down). */
const HERD_ABSORBS: Partial<Record<AlertKind, readonly AlertKind[]>> = {
  'herd-heat-stress': ['fever', 'illness'],
  // Most of a farm's collars silent at once: the gateway or the internet, not each collar.
  'herd-offline': ['collar-offline'],
};

/** Consequence kind -> the kinds that cause it (fever, calving or lameness make a cow eat less). */
const CAUSED_BY: Partial<Record<AlertKind, readonly AlertKind[]>> = {
  illness: ['fever', 'calving', 'lameness'],
};

export interface Inhibitor {
  reason: SuppressReason;
  by: AlertRecord | null;
}

export function inhibitorFor(ctx: PolicyContext, alert: AlertRecord): Inhibitor | null {
  if (alert.cowId === null) return null;
  if (DATA_DRIVEN.has(alert.kind)) {
    const offline = ctx.store.openAlert(alert.farmId, alert.cowId, 'collar-offline');
    if (offline) return { reason: 'collar-offline', by: offline };
  }
  for (const [herdKind, absorbed] of Object.entries(HERD_ABSORBS)) {
    if (!absorbed?.includes(alert.kind)) continue;
    const herd = ctx.store.openAlert(alert.farmId, null, herdKind as AlertKind);
    if (herd) return { reason: 'herd', by: herd };
  }
  for (const cause of CAUSED_BY[alert.kind] ?? []) {
    const parent = ctx.store.openAlert(alert.farmId, alert.cowId, cause);
    if (parent) return { reason: 'consequence', by: parent };
  }
  return null;
}

/** When a silencer opens, the open alerts it covers that nobody was told about yet stay quiet. */
export function silenceUntold(ctx: PolicyContext, silencer: AlertRecord, nowMs: number): void {
  const absorbed = HERD_ABSORBS[silencer.kind];
  const isOffline = silencer.kind === 'collar-offline';
  if (!isOffline && !absorbed) return;
  for (const other of [...ctx.store.openAlerts(silencer.farmId)]) {
    if (other.id === silencer.id || other.suppressed !== null || other.told.length > 0) continue;
    const covered = isOffline
      ? other.cowId === silencer.cowId && DATA_DRIVEN.has(other.kind)
      : silencer.cowId === null && other.cowId !== null && absorbed?.includes(other.kind) === true;
    if (!covered) continue;
    other.suppressed = isOffline ? 'collar-offline' : 'herd';
    other.suppressedBy = silencer.id;
    ctx.store.countSuppressed(other.suppressed);
    emitChange(ctx, other, nowMs);
  }
}
