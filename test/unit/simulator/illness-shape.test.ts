/**
 * The simulated illness's expected course, without noise: what the ground truth's onset means
 * (README: the clinical onset, after a subclinical slide) is what the cow's feeding actually does.
 */
import { describe, expect, it } from 'vitest';
import { applyEvent, type Effects } from '../../../simulator/cow-events.js';
import type { PlannedEvent } from '../../../simulator/plan.js';
import { Random } from '../../../simulator/random.js';

const HOUR = 3_600_000;
const ONSET = Date.parse('2026-03-05T06:00:00Z');
const illness: PlannedEvent<'illness'> = {
  id: 'e1',
  kind: 'illness',
  onset: ONSET,
  end: ONSET + 40 * HOUR,
  params: { leadInH: 48, leadInDropFraction: 0.1, declineH: 12, dropFraction: 0.4 },
};

function ruminationAt(hoursFromOnset: number): number {
  const fx: Effects = {
    activity: 100,
    rumShare: 1,
    eatShare: 1,
    tempAdd: 0,
    cycle: 1,
    moveK: 0.3,
    step: 6,
    impossibleTemp: false,
  };
  applyEvent(illness, ONSET + hoursFromOnset * HOUR, fx, 38.6, 100, new Random(1));
  return fx.rumShare;
}

describe('simulated illness course', () => {
  it('slides slowly over the lead-in, then falls to the full drop within declineH of the onset', () => {
    expect(ruminationAt(-48)).toBeCloseTo(1, 6);
    expect(ruminationAt(-24)).toBeCloseTo(0.95, 6);
    expect(ruminationAt(0)).toBeCloseTo(0.9, 6);
    expect(ruminationAt(6)).toBeCloseTo(0.75, 6);
    expect(ruminationAt(12)).toBeCloseTo(0.6, 6);
    expect(ruminationAt(30)).toBeCloseTo(0.6, 6);
  });
});
