/**
 * Fever: body temperature at or above the threshold (39.5 C by default; normal is roughly 38.0-39.3 C)
 * for a duration, after removing the herd-wide rise of a hot afternoon, so heat stress gives one herd
 * alert instead of a fever alert per cow, while a cow that runs a fever on a hot day still stands out.
 */
import type { Severity } from '../../telemetry/protocol.js';
import type { Condition } from '../condition.js';
import { cowCondition, formatDuration, round1, round2, slotAt, slotTimes } from '../conditions.js';
import { F32_STRIDE, KIND_INDEX, PEAK } from '../layout.js';
import type { CowRecord } from '../model.js';
import { MINUTE_MS } from '../model.js';
import { isOpen, stepSlot } from '../rule-slot.js';

/** Runs the fever rule on one usable temperature (NaN when the reading has none or it is faulty). */
export function detectFever(
  cow: CowRecord,
  f64: Float64Array,
  f32: Float32Array,
  temp: number,
  normal: number,
  ts: number,
  out: Condition[],
): void {
  const th = cow.th.fever;
  const at = slotAt(cow, 'fever');
  const peakAt = cow.row * F32_STRIDE + PEAK + KIND_INDEX.fever;
  const hasTemp = !Number.isNaN(temp);
  const shift = cow.farm.tempShift;
  const corrected = temp - shift;
  const wasOpen = isOpen(f64, at);
  const times = slotTimes(f64, at);
  const step = stepSlot(
    f64,
    at,
    ts,
    // Her own normal is unknown for an hour she has not been seen at yet: the absolute test alone then.
    hasTemp && corrected >= th.temperatureC && (Number.isNaN(normal) || corrected - normal >= th.minRiseC),
    hasTemp && corrected < th.clearBelowC,
    th.forMinutes * MINUTE_MS,
    th.clearForMinutes * MINUTE_MS,
  );
  const prevPeak = f32[peakAt] as number;
  if (!wasOpen) {
    // Track the highest temperature of the pending run; forget it when the run breaks.
    const isPending = !Number.isNaN(f64[at] as number);
    f32[peakAt] = !isPending ? Number.NaN : Number.isNaN(prevPeak) ? temp : Math.max(prevPeak, temp);
  }
  if (step === 'raise') {
    const peak = Math.max(f32[peakAt] as number, temp);
    f32[peakAt] = peak;
    const now = slotTimes(f64, at);
    const what = `temperature ${round1(temp)} C for ${formatDuration(ts - now.onset)}`;
    out.push(
      cowCondition(cow, 'fever', 'raised', ts, now, severityOf(cow, peak), what, evidence(cow, temp, peak)),
    );
  } else if (step === 'clear') {
    const what = `temperature back to ${round1(temp)} C`;
    out.push(
      cowCondition(
        cow,
        'fever',
        'cleared',
        ts,
        times,
        severityOf(cow, prevPeak),
        what,
        evidence(cow, temp, prevPeak),
      ),
    );
    f32[peakAt] = Number.NaN;
  } else if (wasOpen && hasTemp && temp > prevPeak) {
    f32[peakAt] = temp;
    if (severityOf(cow, temp) !== severityOf(cow, prevPeak)) {
      const what = `temperature ${round1(temp)} C for ${formatDuration(ts - times.onset)}`;
      out.push(
        cowCondition(
          cow,
          'fever',
          'updated',
          ts,
          times,
          severityOf(cow, temp),
          what,
          evidence(cow, temp, temp),
        ),
      );
    }
  }
}

/** Critical at or above fever.criticalC (after the herd's shift), else the configured fever severity. */
function severityOf(cow: CowRecord, peak: number): Severity {
  return peak - cow.farm.tempShift >= cow.th.fever.criticalC ? 'critical' : cow.th.severity.fever;
}

function evidence(cow: CowRecord, temp: number, peak: number): Record<string, unknown> {
  return {
    metric: 'temperatureC',
    value: round2(temp),
    peak: round2(peak),
    threshold: cow.th.fever.temperatureC,
    herdShiftC: round2(cow.farm.tempShift),
  };
}
