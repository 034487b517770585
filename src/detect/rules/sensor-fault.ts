/**
 * Impossible or stuck values mean a faulty collar, not a sick cow: a body temperature of 44 C or
 * 33 C on a standing cow, or a value repeated exactly for an hour and over several readings in a row (a
 * live animal's temperature and movement always wobble; a 2-h activity count may repeat by chance, so
 * time alone is not enough). They raise `sensor-fault` and are kept out of every other rule, including
 * the readings of the stuck run that came before the fault was recognised (see observe-reading.ts).
 */
import type { Reading } from '../../telemetry/protocol.js';
import type { Condition } from '../condition.js';
import { cowCondition, formatDuration, round1, slotAt, slotTimes } from '../conditions.js';
import {
  ACT_SAME_N,
  ACT_SAME_SINCE,
  BAD_RUN,
  F64_STRIDE,
  FAULT_REASON,
  LAST_ACT,
  LAST_TEMP,
  RAISED,
  TEMP_SAME_N,
  TEMP_SAME_SINCE,
} from '../layout.js';
import type { CowRecord } from '../model.js';
import { MINUTE_MS } from '../model.js';
import { stepSlot } from '../rule-slot.js';

/** Which metrics of a reading the other rules may use. */
export const TEMP_OK = 1;
/** Activity, and rumination and eating (the same accelerometer measures them). */
export const ACT_OK = 2;
/** A stuck fault was raised just now: the run of stuck temperature / activity already stored must go. */
export const VOID_TEMP = 4;
export const VOID_ACT = 8;

const REASON_TEMP_IMPOSSIBLE = 1;
const REASON_TEMP_STUCK = 2;
const REASON_ACT_IMPOSSIBLE = 3;
const REASON_ACT_STUCK = 4;

/** Checks a reading for impossible or stuck values; returns TEMP_OK | ACT_OK for what is usable. */
export function detectSensorFault(cow: CowRecord, f64: Float64Array, r: Reading, out: Condition[]): number {
  const th = cow.th.sensorFault;
  const row = cow.row * F64_STRIDE;
  const t = r.temperatureC;
  const actPerMin = r.activity / (r.intervalS / 60);
  const badTemp = t !== undefined && (t < th.minTemperatureC || t > th.maxTemperatureC);
  const badAct = actPerMin > th.maxActivityPerMin;
  f64[row + BAD_RUN] = badTemp || badAct ? (f64[row + BAD_RUN] || 0) + 1 : 0;
  const stuckMs = th.stuckMinutes * MINUTE_MS;
  const tempStuckFor =
    t === undefined ? 0 : sameFor(f64, row + LAST_TEMP, row + TEMP_SAME_SINCE, row + TEMP_SAME_N, t, r.ts);
  // Zero activity repeats naturally while a cow lies down; only a repeated non-zero count is suspicious.
  const actStuckFor =
    r.activity > 0
      ? sameFor(f64, row + LAST_ACT, row + ACT_SAME_SINCE, row + ACT_SAME_N, r.activity, r.ts)
      : resetRun(f64, row + LAST_ACT, row + ACT_SAME_N);
  const stuckTemp = tempStuckFor >= stuckMs && (f64[row + TEMP_SAME_N] as number) >= th.stuckReadings;
  const stuckAct = actStuckFor >= stuckMs && (f64[row + ACT_SAME_N] as number) >= th.stuckReadings;
  const isImpossible = (f64[row + BAD_RUN] as number) >= th.forReadings;
  const at = slotAt(cow, 'sensor-fault');
  const times = slotTimes(f64, at);
  const step = stepSlot(
    f64,
    at,
    r.ts,
    isImpossible || stuckTemp || stuckAct,
    !badTemp && !badAct && !stuckTemp && !stuckAct,
    0,
    th.clearForMinutes * MINUTE_MS,
  );
  const collar = cow.collarId ?? r.collarId;
  if (step === 'raise') {
    const reason =
      isImpossible && badTemp
        ? REASON_TEMP_IMPOSSIBLE
        : stuckTemp
          ? REASON_TEMP_STUCK
          : isImpossible
            ? REASON_ACT_IMPOSSIBLE
            : REASON_ACT_STUCK;
    f64[row + FAULT_REASON] = reason;
    const what =
      reason === REASON_TEMP_IMPOSSIBLE
        ? `collar ${collar} sensor fault: temperature ${round1(t ?? 0)} C is impossible`
        : reason === REASON_TEMP_STUCK
          ? `collar ${collar} sensor fault: temperature stuck at ${t} C for ${formatDuration(tempStuckFor)}`
          : reason === REASON_ACT_IMPOSSIBLE
            ? `collar ${collar} sensor fault: activity ${Math.round(actPerMin)} counts/min is impossible`
            : `collar ${collar} sensor fault: activity stuck at ${r.activity} for ${formatDuration(actStuckFor)}`;
    out.push(
      cowCondition(
        cow,
        'sensor-fault',
        'raised',
        r.ts,
        slotTimes(f64, at),
        cow.th.severity['sensor-fault'],
        what,
        {
          reason: ['impossible-temperature', 'stuck-temperature', 'impossible-activity', 'stuck-activity'][
            reason - 1
          ],
          temperatureC: t ?? null,
          activityPerMin: Math.round(actPerMin),
        },
      ),
    );
  } else if (step === 'clear') {
    f64[row + FAULT_REASON] = Number.NaN;
    out.push(
      cowCondition(
        cow,
        'sensor-fault',
        'cleared',
        r.ts,
        times,
        cow.th.severity['sensor-fault'],
        `collar ${collar} sensor readings plausible again`,
        { temperatureC: t ?? null },
      ),
    );
  }
  const faultOpen = !Number.isNaN(f64[at + RAISED] as number);
  const reason = f64[row + FAULT_REASON] as number;
  const tempBlocked = faultOpen && (reason === REASON_TEMP_IMPOSSIBLE || reason === REASON_TEMP_STUCK);
  const actBlocked = faultOpen && (reason === REASON_ACT_IMPOSSIBLE || reason === REASON_ACT_STUCK);
  let ok = 0;
  if (t !== undefined && !badTemp && !stuckTemp && !tempBlocked) ok |= TEMP_OK;
  if (!badAct && !stuckAct && !actBlocked) ok |= ACT_OK;
  if (step === 'raise' && f64[row + FAULT_REASON] === REASON_TEMP_STUCK) ok |= VOID_TEMP;
  if (step === 'raise' && f64[row + FAULT_REASON] === REASON_ACT_STUCK) ok |= VOID_ACT;
  return ok;
}

/** Event time the current run of repeated temperature / activity began (for VOID_TEMP / VOID_ACT). */
export function stuckSince(cow: CowRecord, f64: Float64Array, which: 'temperature' | 'activity'): number {
  return f64[cow.row * F64_STRIDE + (which === 'temperature' ? TEMP_SAME_SINCE : ACT_SAME_SINCE)] as number;
}

/**
 * How long `value` has been repeated exactly (0 when it just changed), counting the readings of the
 * run at `countAt`.
 */
function sameFor(
  f64: Float64Array,
  lastAt: number,
  sinceAt: number,
  countAt: number,
  value: number,
  ts: number,
): number {
  if (f64[lastAt] !== value || Number.isNaN(f64[sinceAt] as number)) {
    f64[lastAt] = value;
    f64[sinceAt] = ts;
    f64[countAt] = 1;
    return 0;
  }
  f64[countAt] = (f64[countAt] as number) + 1;
  return ts - (f64[sinceAt] as number);
}

function resetRun(f64: Float64Array, lastAt: number, countAt: number): number {
  f64[lastAt] = Number.NaN;
  f64[countAt] = 0;
  return 0;
}
