/**
 * Collar offline: no reading for the configured silence (in minutes, or in missed readings of the
 * collar's own cadence, whichever is longer), or the broker delivered the collar's last
 * will. Resolved by the next reading (or an `online` presence message). While a collar is silent the
 * other rules simply get no data; they never read silence as a sick cow.
 */

import { silenceLimitMs } from '../cadence.js';
import type { Condition } from '../condition.js';
import { cowCondition, formatDuration, slotAt, slotTimes } from '../conditions.js';
import { F64_STRIDE, LAST_TS, WILL_OFFLINE } from '../layout.js';
import type { CowRecord } from '../model.js';
import { MINUTE_MS } from '../model.js';
import { isOpen, raiseSlot, resetSlot } from '../rule-slot.js';

/**
 * Raises collar-offline when the collar has been silent long enough at event/wall time `now`.
 * Silence is only observed while the daemon listens: it counts from `listeningSince` at the earliest.
 */
export function detectSilence(
  cow: CowRecord,
  f64: Float64Array,
  now: number,
  listeningSince: number,
  out: Condition[],
): void {
  const at = slotAt(cow, 'collar-offline');
  if (isOpen(f64, at)) return;
  const last = f64[cow.row * F64_STRIDE + LAST_TS] as number;
  if (Number.isNaN(last) || now - Math.max(last, listeningSince) < silenceLimitMs(cow, f64)) return;
  raiseSlot(f64, at, last, now);
  const collar = cow.collarId ?? 'collar';
  out.push(
    cowCondition(
      cow,
      'collar-offline',
      'raised',
      now,
      slotTimes(f64, at),
      cow.th.severity['collar-offline'],
      `collar ${collar} silent for ${formatDuration(now - last)}`,
      {
        lastReadingTs: last,
        silentMin: Math.round((now - last) / MINUTE_MS),
        cause: 'silence',
      },
    ),
  );
}

/** The broker says the collar went away (its last will) or came back. */
export function markPresence(
  cow: CowRecord,
  f64: Float64Array,
  status: 'online' | 'offline',
  atMs: number,
  out: Condition[],
): void {
  const at = slotAt(cow, 'collar-offline');
  const row = cow.row * F64_STRIDE;
  const collar = cow.collarId ?? 'collar';
  if (status === 'offline') {
    f64[row + WILL_OFFLINE] = 1;
    if (isOpen(f64, at)) return;
    const last = f64[row + LAST_TS] as number;
    const onset = Number.isNaN(last) || last > atMs ? atMs : last;
    raiseSlot(f64, at, onset, atMs);
    out.push(
      cowCondition(
        cow,
        'collar-offline',
        'raised',
        atMs,
        slotTimes(f64, at),
        cow.th.severity['collar-offline'],
        `collar ${collar} disconnected (the broker reported its last will)`,
        {
          lastReadingTs: Number.isNaN(last) ? null : last,
          cause: 'last-will',
        },
      ),
    );
    return;
  }
  f64[row + WILL_OFFLINE] = 0;
  clearOffline(cow, f64, atMs, 'back online', out);
}

/** Resolves an open collar-offline (a reading or an online message arrived). */
export function clearOffline(
  cow: CowRecord,
  f64: Float64Array,
  ts: number,
  how: string,
  out: Condition[],
): void {
  const at = slotAt(cow, 'collar-offline');
  if (!isOpen(f64, at)) return;
  const times = slotTimes(f64, at);
  resetSlot(f64, at);
  const collar = cow.collarId ?? 'collar';
  out.push(
    cowCondition(
      cow,
      'collar-offline',
      'cleared',
      ts,
      times,
      cow.th.severity['collar-offline'],
      `collar ${collar} ${how} after ${formatDuration(ts - times.onset)}`,
      {
        offlineMin: Math.round((ts - times.onset) / MINUTE_MS),
      },
    ),
  );
}
