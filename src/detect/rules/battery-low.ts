/**
 * Battery low: under the level for two readings in a row (one dip under load is not a trend); resolves
 * only once clearly above it again (charged or replaced), so a level hovering at the line does not flap.
 */
import type { Condition } from '../condition.js';
import { cowCondition, slotAt, slotTimes } from '../conditions.js';
import type { CowRecord } from '../model.js';
import { stepSlot } from '../rule-slot.js';

export function detectBatteryLow(
  cow: CowRecord,
  f64: Float64Array,
  battery: number,
  collarId: string,
  ts: number,
  out: Condition[],
): void {
  const th = cow.th.batteryLow;
  const at = slotAt(cow, 'battery-low');
  const times = slotTimes(f64, at);
  const step = stepSlot(f64, at, ts, battery < th.below, battery > th.clearAbove, 1, 0);
  if (step === null) return;
  const pct = Math.round(battery * 100);
  const severity = cow.th.severity['battery-low'];
  const evidence = { metric: 'battery', value: battery, threshold: th.below };
  out.push(
    step === 'raise'
      ? cowCondition(
          cow,
          'battery-low',
          'raised',
          ts,
          slotTimes(f64, at),
          severity,
          `collar ${collarId} battery at ${pct}%`,
          evidence,
        )
      : cowCondition(
          cow,
          'battery-low',
          'cleared',
          ts,
          times,
          severity,
          `collar ${collarId} battery back to ${pct}%`,
          evidence,
        ),
  );
}
