/**
 * The baseline-relative rules, run once an hour per cow on herd-corrected windows:
 * heat (activity surge), illness (rumination drop), lameness (activity drop, rumination kept) and
 * calving (temperature drop with rumination drop or restlessness). Each ratio has been divided by the
 * herd's median ratio, so a rainy day or a feed change that moves the whole herd moves nobody.
 */
import type { Condition } from '../condition.js';
import { cowCondition, formatDuration, round1, round2, slotAt, slotTimes } from '../conditions.js';
import { type CowKind, EXPLAINED_UNTIL, F64_STRIDE, ONSET } from '../layout.js';
import type { CowRecord } from '../model.js';
import { HOUR_MS } from '../model.js';
import { isOpen, stepSlot } from '../rule-slot.js';

/** A cow's herd-corrected windows for one hour (NaN where data is missing). */
export interface HourlyView {
  heatRatio: number;
  rumRatio: number;
  lameActRatio: number;
  lameRumRatio: number;
  calvTempDev: number;
  calvRumRatio: number;
  calvActRatio: number;
}

/** Runs the four relative rules for a warmed-up cow at event time `ts` (the end of the hour). */
export function runHourlyRules(
  cow: CowRecord,
  f64: Float64Array,
  v: HourlyView,
  ts: number,
  out: Condition[],
): void {
  const th = cow.th;
  const open = (kind: CowKind) => isOpen(f64, slotAt(cow, kind));
  const known = (x: number) => !Number.isNaN(x);

  const calv = th.calving;
  const tempDrop = known(v.calvTempDev) && v.calvTempDev <= -calv.temperatureDropC;
  const rumDrop = known(v.calvRumRatio) && v.calvRumRatio <= 1 - calv.ruminationDropPct / 100;
  const restless = known(v.calvActRatio) && v.calvActRatio >= calv.restlessRatio;
  const signs = tempDrop && (rumDrop || restless);
  step(cow, f64, 'calving', ts, signs, !signs, calv.forHours, calv.clearForHours, out, (change) =>
    change === 'cleared'
      ? ['calving signs gone', { metric: 'temperatureC', deviationC: round2(v.calvTempDev) }]
      : [
          `calving signs: temperature ${round1(-v.calvTempDev)} C below her normal, ${rumDrop ? `rumination ${100 - pct(v.calvRumRatio)}% down` : `restless (activity ${round1(v.calvActRatio)}x)`}`,
          {
            metric: 'temperatureC',
            deviationC: round2(v.calvTempDev),
            ruminationRatio: round2(v.calvRumRatio),
            activityRatio: round2(v.calvActRatio),
          },
        ],
  );

  const heat = th.heat;
  // Restlessness before calving also doubles activity, but with the temperature dropping (in estrus
  // it rises a little): a surge with the pre-calving drop is left to the calving rule.
  const calvingDrop = known(v.calvTempDev) && v.calvTempDev <= -th.calving.temperatureDropC;
  const surge = known(v.heatRatio) && v.heatRatio >= heat.activityRatio && !calvingDrop && !open('calving');
  step(
    cow,
    f64,
    'heat',
    ts,
    surge,
    known(v.heatRatio) && v.heatRatio < heat.clearRatio,
    heat.forHours,
    heat.clearForHours,
    out,
    (change, dur) =>
      change === 'cleared'
        ? [
            `heat over (activity ${round1(v.heatRatio)}x her normal)`,
            { metric: 'activity', ratio: round2(v.heatRatio) },
          ]
        : [
            `in heat: activity ${round1(v.heatRatio)}x her normal for ${dur}`,
            {
              metric: 'activity',
              ratio: round2(v.heatRatio),
              baselineRatio: 1,
              windowHours: heat.windowHours,
            },
          ],
  );

  const ill = th.illness;
  const rumLow = known(v.rumRatio) && v.rumRatio <= 1 - ill.ruminationDropPct / 100;
  const explainedAt = cow.row * F64_STRIDE + EXPLAINED_UNTIL;
  if (open('fever') || open('calving') || open('heat')) f64[explainedAt] = ts + ill.windowHours * HOUR_MS;
  // Before calving, feeding falls while the temperature drop is still short of the calving threshold:
  // a cow most of the way there is left to the calving rule (configurable, off for cows that cannot be
  // calving: a sick cow may cool a little too).
  const cooling = ill.calvingCoolingC > 0 && known(v.calvTempDev) && v.calvTempDev <= -ill.calvingCoolingC;
  const explained = ts <= (f64[explainedAt] as number) || cooling;
  step(
    cow,
    f64,
    'illness',
    ts,
    rumLow && !explained,
    known(v.rumRatio) && v.rumRatio >= 1 - ill.clearDropPct / 100,
    ill.forHours,
    ill.clearForHours,
    out,
    (change) =>
      change === 'cleared'
        ? [
            `rumination and eating back to ${pct(v.rumRatio)}% of her normal`,
            { metric: 'ruminationMin', ratio: round2(v.rumRatio) },
          ]
        : [
            `rumination and eating ${100 - pct(v.rumRatio)}% below her normal over ${ill.windowHours} h`,
            { metric: 'ruminationMin', ratio: round2(v.rumRatio), windowHours: ill.windowHours },
          ],
  );

  const lame = th.lameness;
  const actLow = known(v.lameActRatio) && v.lameActRatio <= 1 - lame.activityDropPct / 100;
  const stillEating = known(v.lameRumRatio) && v.lameRumRatio >= lame.ruminationKeptPct / 100;
  const otherCause = open('illness') || open('fever') || open('calving') || open('heat');
  step(
    cow,
    f64,
    'lameness',
    ts,
    actLow && stillEating && !otherCause,
    known(v.lameActRatio) && v.lameActRatio >= 1 - lame.clearDropPct / 100,
    lame.forHours,
    lame.clearForHours,
    out,
    (change) =>
      change === 'cleared'
        ? [
            `activity back to ${pct(v.lameActRatio)}% of her normal`,
            { metric: 'activity', ratio: round2(v.lameActRatio) },
          ]
        : [
            `possible lameness: activity ${100 - pct(v.lameActRatio)}% below her normal over ${lame.windowHours} h while still ruminating`,
            {
              metric: 'activity',
              ratio: round2(v.lameActRatio),
              ruminationRatio: round2(v.lameRumRatio),
              windowHours: lame.windowHours,
            },
          ],
  );
}

const pct = (ratio: number) => Math.round(ratio * 100);

type Describe = (change: 'raised' | 'cleared', duration: string) => [string, Record<string, unknown>];

function step(
  cow: CowRecord,
  f64: Float64Array,
  kind: CowKind,
  ts: number,
  isOn: boolean,
  isOff: boolean,
  forHours: number,
  clearForHours: number,
  out: Condition[],
  describe: Describe,
): void {
  const at = slotAt(cow, kind);
  const before = slotTimes(f64, at);
  // The window that triggered spans the hour just ended, so the onset is the start of that hour.
  const s = stepSlot(f64, at, ts, isOn, isOff, forHours * HOUR_MS, clearForHours * HOUR_MS);
  if (s === null) return;
  const severity = cow.th.severity[kind];
  if (s === 'raise') {
    const times = slotTimes(f64, at);
    times.onset -= HOUR_MS;
    f64[at + ONSET] = times.onset;
    const [what, evidence] = describe('raised', formatDuration(ts - times.onset));
    if (kind === 'heat') {
      // Commonly advised insemination window: roughly 6 to 17 h after the activity rise began.
      evidence.inseminateFromTs = times.onset + 6 * HOUR_MS;
      evidence.inseminateToTs = times.onset + 17 * HOUR_MS;
    }
    out.push(cowCondition(cow, kind, 'raised', ts, times, severity, what, evidence));
  } else {
    const [what, evidence] = describe('cleared', formatDuration(ts - before.onset));
    out.push(cowCondition(cow, kind, 'cleared', ts, before, severity, what, evidence));
  }
}
