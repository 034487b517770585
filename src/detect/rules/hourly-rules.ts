/**
 * The baseline-relative rules, run once an hour per cow on herd-corrected windows:
 * heat (activity surge), illness (rumination drop), lameness (activity drop, rumination kept) and
 * calving (staged signs over the last day). Each ratio has been divided by the herd's median ratio, so
 * a rainy day or a feed change that moves the whole herd moves nobody. Each rule works on the sensors
 * the collar has (see rule-coverage.ts for what runs with which).
 */
import type { Thresholds } from '../../config/thresholds-schema.js';
import { cadenceOf } from '../cadence.js';
import type { Condition } from '../condition.js';
import { cowCondition, formatDuration, round1, round2, slotAt, slotTimes } from '../conditions.js';
import {
  CALVED_TS,
  CALVING_STAGE1_TS,
  type CowKind,
  EXPLAINED_UNTIL,
  F64_STRIDE,
  HEAT_HOLD_UNTIL,
  ONSET,
} from '../layout.js';
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
  /** Her activity per minute over the heat window against the herd's median over the same hours. */
  heatVsHerd: number;
  /** The same against her own normal averaged over the whole day (the heat rule's absolute floor). */
  heatVsDay: number;
  hasRumination: boolean;
  hasTemperature: boolean;
  /** Her activity count has repeated for half an hour or more (see herd.ts mayBeStuck). */
  mayBeStuck: boolean;
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
  const r64 = cow.row * F64_STRIDE;
  const due = calvingDue(cow, ts);
  const tempDrop = known(v.calvTempDev) && v.calvTempDev <= -calv.temperatureDropC;
  if (tempDrop) f64[r64 + CALVING_STAGE1_TS] = ts;
  // The signs come in stages: her temperature falls 12-24 h before, rumination falls and she gets
  // restless only in the last hours. The first stage is remembered for a day.
  const cooled = ts - (f64[r64 + CALVING_STAGE1_TS] as number) <= calv.stagesWithinHours * HOUR_MS;
  const rumDrop = known(v.calvRumRatio) && v.calvRumRatio <= 1 - calv.ruminationDropPct / 100;
  const restless = known(v.calvActRatio) && v.calvActRatio >= calv.restlessRatio;
  const heat = th.heat;
  // Against her own hour-of-day normal, and also against the herd now and against her day as a whole:
  // a grazing bout at an unusual hour is a surge to her normal for that hour, but it is no more than
  // the herd is doing, or no more than her usual busy hours (estrus is 2-4 times her whole day).
  const estrusLike =
    known(v.heatRatio) &&
    v.heatRatio >= heat.activityRatio &&
    !(v.heatVsHerd < heat.herdRatio) &&
    !(v.heatVsDay < heat.dayRatio);
  // A calving alert in the last days was her calving: a fresh cow's signs are not a second one.
  const sinceCalving = ts - (f64[r64 + CALVED_TS] as number);
  const signs =
    due === 'far' || sinceCalving <= RECALVING_DAYS * 24 * HOUR_MS
      ? false
      : calvingSigns(v, calv, due === 'near', cooled, rumDrop, restless, estrusLike, sinceCalving);
  step(cow, f64, 'calving', ts, signs, !signs, calv.forHours, calv.clearForHours, out, (change) =>
    change === 'cleared'
      ? ['calving signs gone', { metric: 'temperatureC', deviationC: round2(v.calvTempDev) }]
      : [
          `calving signs: ${describeCalving(v, cooled, rumDrop, restless, due)}`,
          {
            metric: v.hasTemperature ? 'temperatureC' : v.hasRumination ? 'ruminationMin' : 'activity',
            deviationC: known(v.calvTempDev) ? round2(v.calvTempDev) : null,
            ruminationRatio: known(v.calvRumRatio) ? round2(v.calvRumRatio) : null,
            activityRatio: known(v.calvActRatio) ? round2(v.calvActRatio) : null,
            nearDueDate: due === 'near',
          },
        ],
  );

  // Restlessness before calving also doubles activity, but with the temperature dropping (in estrus
  // it rises a little): a surge with the pre-calving drop is left to the calving rule.
  // A cow near her calving date does not come into heat: her restlessness is the calving's.
  const calvingDrop =
    (known(v.calvTempDev) && v.calvTempDev <= -th.calving.temperatureDropC) || due === 'near';
  const held = ts < (f64[r64 + HEAT_HOLD_UNTIL] as number);
  const surge = estrusLike && !calvingDrop && !open('calving') && !held;
  // Estrus lasts under 30 h: a heat alert still open after maxHours is her new normal, not heat.
  const heatAt = slotAt(cow, 'heat');
  const tooLong = open('heat') && ts - (f64[heatAt + ONSET] as number) >= heat.maxHours * HOUR_MS;
  // Her normal then learns the new level (nothing pending blocks it) before heat may alert again.
  if (tooLong) f64[r64 + HEAT_HOLD_UNTIL] = ts + HEAT_HOLD_DAYS * 24 * HOUR_MS;
  step(
    cow,
    f64,
    'heat',
    ts,
    surge,
    tooLong || (known(v.heatRatio) && v.heatRatio < heat.clearRatio),
    heat.forHours,
    tooLong ? 0 : heat.clearForHours,
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
  // The surge itself explains it, not only a heat alert already raised: heat waits heat.forHours
  // before alerting, and estrus cuts rumination from its first hours.
  if (open('fever') || open('calving') || open('heat') || estrusLike)
    f64[explainedAt] = ts + ill.windowHours * HOUR_MS;
  // Before calving, feeding falls while the temperature drop is still short of the calving threshold:
  // a cow most of the way there is left to the calving rule (configurable, off for cows that cannot be
  // calving: a sick cow may cool a little too).
  const cooling = ill.calvingCoolingC > 0 && known(v.calvTempDev) && v.calvTempDev <= -ill.calvingCoolingC;
  // A cow near term whose rumination falls is calving, not ill; so is a restless one that cooled the
  // day before (a sick cow is dull: her activity falls with her feeding).
  // Without a thermometer the drop cannot be seen: restlessness with the rumination drop is calving.
  // Once a calving alert went out she has (most likely) calved: fresh cows fall ill, and that is illness.
  const calvedLately = sinceCalving <= calv.dueWindowDaysAfter * 24 * HOUR_MS;
  const calvingLike =
    !calvedLately && (due === 'near' || (due !== 'far' && restless && (cooled || !v.hasTemperature)));
  // A collar repeating its readings may be frozen: no illness from it until that is settled.
  const explained = ts <= (f64[explainedAt] as number) || cooling || calvingLike || v.mayBeStuck;
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
  // Without a rumination sensor lameness runs on activity alone (an ill cow also moves less, so such a
  // collar cannot tell them apart: the alert says so).
  const stillEating = v.hasRumination
    ? known(v.lameRumRatio) && v.lameRumRatio >= lame.ruminationKeptPct / 100
    : lame.withoutRumination;
  const otherCause = open('illness') || open('fever') || open('calving') || open('heat') || v.mayBeStuck;
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
            `possible lameness: activity ${100 - pct(v.lameActRatio)}% below her normal over ${lame.windowHours} h${v.hasRumination ? ' while still ruminating' : ' (this collar measures no rumination: lameness or illness)'}`,
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
/** Readings a sign must span before it alerts (see step()). */
const HOLD_READINGS = 2;
/** Days after a calving alert in which no second one is raised for her. */
const RECALVING_DAYS = 3;
/** Days without heat alerts after one was closed for lasting over heat.maxHours. */
const HEAT_HOLD_DAYS = 3;

/** Where she stands to her expected calving date: near it, far from it, or no date known. */
function calvingDue(cow: CowRecord, ts: number): 'near' | 'far' | 'unknown' {
  if (Number.isNaN(cow.calvingDueMs)) return 'unknown';
  const c = cow.th.calving;
  const from = cow.calvingDueMs - c.dueWindowDaysBefore * 24 * HOUR_MS;
  const to = cow.calvingDueMs + c.dueWindowDaysAfter * 24 * HOUR_MS;
  return ts >= from && ts <= to ? 'near' : 'far';
}

/**
 * The calving test, on what the collar measures. With temperature: the drop (now or in the last day)
 * and then falling rumination or restlessness. Without it: falling rumination and restlessness
 * together, or near the due date falling rumination alone (a cow near term whose rumination falls is
 * calving, not ill). Activity only: near the due date, restlessness the herd does not share. Estrus
 * also brings restlessness and less rumination, but a cow warmer than her normal is not about to
 * calve, and without a due date a surge the size of estrus is left to the heat rule.
 */
function calvingSigns(
  v: HourlyView,
  calv: Thresholds['calving'],
  nearDue: boolean,
  cooled: boolean,
  rumDrop: boolean,
  restless: boolean,
  estrusLike: boolean,
  sinceCalving: number,
): boolean {
  // After a calving alert, falling rumination alone is a fresh cow off her feed (illness), not calving.
  const freshCow = sinceCalving <= calv.dueWindowDaysAfter * 24 * HOUR_MS;
  const late = (rumDrop && restless && !estrusLike) || (nearDue && rumDrop && !freshCow);
  const warmer = v.calvTempDev > calv.temperatureDropC / 2;
  if (v.hasTemperature) return (cooled && (rumDrop || restless)) || (late && !warmer);
  if (v.hasRumination) return late;
  return nearDue && restless && !(v.heatVsHerd < calv.restlessRatio);
}

function describeCalving(
  v: HourlyView,
  cooled: boolean,
  rumDrop: boolean,
  restless: boolean,
  due: 'near' | 'far' | 'unknown',
): string {
  const parts: string[] = [];
  if (cooled && Number.isFinite(v.calvTempDev))
    parts.push(`temperature ${round1(Math.max(0, -v.calvTempDev))} C below her normal`);
  if (rumDrop) parts.push(`rumination ${100 - pct(v.calvRumRatio)}% down`);
  if (restless) parts.push(`restless (activity ${round1(v.calvActRatio)}x)`);
  if (due === 'near') parts.push('close to her calving date');
  return parts.join(', ');
}

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
  // A drop must hold over two of the collar's readings as well as for forHours: one 2-h block is one
  // measurement, however many hours it covers. Heat and calving cannot wait that long: estrus is over
  // in hours and a calving alert must come before the calf, and their surge is a stronger sign.
  const hold = kind === 'heat' || kind === 'calving' ? 1 : HOLD_READINGS;
  const cadence = cadenceOf(cow, f64);
  const forMs = Number.isNaN(cadence)
    ? forHours * HOUR_MS
    : Math.max(forHours * HOUR_MS, hold * cadence - HOUR_MS);
  // The window that triggered spans the hour just ended, so the onset is the start of that hour.
  const s = stepSlot(f64, at, ts, isOn, isOff, forMs, clearForHours * HOUR_MS);
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
    if (kind === 'calving') f64[cow.row * F64_STRIDE + CALVED_TS] = ts;
    out.push(cowCondition(cow, kind, 'raised', ts, times, severity, what, evidence));
  } else {
    const [what, evidence] = describe('cleared', formatDuration(ts - before.onset));
    out.push(cowCondition(cow, kind, 'cleared', ts, before, severity, what, evidence));
  }
}
