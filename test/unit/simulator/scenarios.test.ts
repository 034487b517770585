import { describe, expect, it } from 'vitest';
import { loadHerd, scenarioSchema, simulateHerd } from '../../../simulator/index.js';
import { Pasture } from '../../../simulator/pasture.js';
import { baseline, collect, HOUR, mean, within } from './series.js';

const START = Date.parse('2026-03-02T00:00:00Z');
const herd = loadHerd({ configDir: 'config', farm: 'demo' });

// One event of every kind on its own cow, on an otherwise normal herd (demo farm, 6 days).
const scenario = scenarioSchema.parse({
  seedEvents: false,
  benign: {
    'brief-activity': 0,
    'herd-move': 0,
    'milking-delay': 0,
    'feed-change': 0,
    coolDay: 0,
    warmDay: 0,
    quietEveryDays: 0,
  },
  delivery: { duplicateRate: 0.01, malformedRate: 0.005, coverageGapRate: 0.3 },
  events: [
    { kind: 'heat', cow: 'daisy', afterHours: 100, hours: 12, params: { activityFactor: 3 } },
    { kind: 'fever', cow: 'bella', afterHours: 96, hours: 24, params: { peakC: 40.5 } },
    {
      kind: 'illness',
      cow: 'lakshmi',
      afterHours: 72,
      hours: 72,
      params: { leadInH: 48, leadInDropFraction: 0.1, declineH: 12, dropFraction: 0.4 },
    },
    { kind: 'lameness', cow: 'gauri', afterHours: 72, hours: 72, params: { activityFactor: 0.55 } },
    { kind: 'calving', cow: 'noor', afterHours: 72, params: { tempDropC: 0.45 } },
    { kind: 'collar-offline', cow: 'mimosa', afterHours: 100, hours: 4, params: { lastWill: true } },
    { kind: 'collar-offline', cow: 'C-0006', afterHours: 100, hours: 4, params: { lastWill: false } },
    { kind: 'battery-low', cow: 'estrela', afterHours: 110, hours: 24 },
    { kind: 'geofence', cow: 'marguerite', afterHours: 100, hours: 3 },
    {
      kind: 'sensor-fault',
      cow: 'kamdhenu',
      afterHours: 100,
      hours: 6,
      params: { mode: 'stuck', field: 'temperatureC' },
    },
    { kind: 'sensor-fault', cow: 'sundari', afterHours: 100, hours: 6, params: { mode: 'impossible' } },
    { kind: 'herd-heat-stress', at: '2026-03-06T07:00:00Z', hours: 6 },
    { kind: 'brief-activity', cow: 'clover', afterHours: 100, hours: 1 },
  ],
});
const run = simulateHerd({ herd, scenario, seed: 11, start: START, days: 6, intervalS: 300 });
const data = collect(run);
const series = (collarId: string) => data.series.get(collarId) ?? [];
const eventOf = (kind: string, cowId: string | null) => {
  const e = run.truth.events.find((x) => x.kind === kind && x.cowId === cowId);
  if (!e) throw new Error(`no ${kind} for ${cowId}`);
  return { onset: Date.parse(e.onsetTs), end: Date.parse(e.endTs), e };
};

describe('injected scenarios', () => {
  it('lists exactly the injected events in the truth, with protocol kind names and parameters', () => {
    expect(run.truth.events.map((e) => `${e.kind}:${e.cowId ?? 'herd'}`).sort()).toEqual(
      [
        'battery-low:estrela',
        'calving:noor',
        'collar-offline:mimosa',
        'collar-offline:rosie',
        'fever:bella',
        'geofence:marguerite',
        'heat:daisy',
        'herd-heat-stress:herd',
        'illness:lakshmi',
        'lameness:gauri',
        'sensor-fault:kamdhenu',
        'sensor-fault:sundari',
      ].sort(),
    );
    const heat = eventOf('heat', 'daisy').e;
    expect(heat).toMatchObject({
      farm: 'demo',
      collarId: 'C-0001',
      onsetTs: '2026-03-06T04:00:00Z',
      endTs: '2026-03-06T16:00:00Z',
    });
    expect(heat.params.activityFactor).toBe(3);
    expect(run.truth.benign).toEqual([expect.objectContaining({ kind: 'brief-activity', cowId: 'clover' })]);
  });

  it('heat: activity two- to four-fold for its duration, rumination dips', () => {
    const { onset, end } = eventOf('heat', 'daisy');
    const s = series('C-0001');
    const during = within(s, onset + HOUR, end - HOUR);
    expect(mean(during, 'activity') / baseline(s, onset + HOUR, end - HOUR, 'activity')).toBeGreaterThan(2);
    expect(
      mean(during, 'ruminationMin') / baseline(s, onset + HOUR, end - HOUR, 'ruminationMin'),
    ).toBeLessThan(0.8);
  });

  it('fever: temperature above 39.5 C, rumination and activity drop', () => {
    const { onset, end } = eventOf('fever', 'bella');
    const s = series('C-0002');
    const plateau = within(s, onset + 4 * HOUR, end - 6 * HOUR);
    expect(Math.min(...plateau.map((p) => p.temperatureC))).toBeGreaterThan(39.5);
    expect(
      mean(plateau, 'ruminationMin') / baseline(s, onset + 4 * HOUR, end - 6 * HOUR, 'ruminationMin'),
    ).toBeLessThan(0.7);
    expect(
      mean(plateau, 'activity') / baseline(s, onset + 4 * HOUR, end - 6 * HOUR, 'activity'),
    ).toBeLessThan(0.85);
    expect(Math.max(...within(s, onset - 24 * HOUR, onset).map((p) => p.temperatureC))).toBeLessThan(39.5);
  });

  it('illness: a small subclinical slide before onset, then rumination and eating fall within hours', () => {
    const { onset } = eventOf('illness', 'lakshmi');
    const s = series('C-0003');
    const firstDay = within(s, START, START + 24 * HOUR); // before the 48 h slide began
    const slideDay = within(s, onset - 24 * HOUR, onset);
    const slide = mean(slideDay, 'ruminationMin') / mean(firstDay, 'ruminationMin');
    // Too small to tell from a dull day: within her day-to-day variation.
    expect(slide).toBeGreaterThan(0.85);
    // The second half of the clinical fall against the same hours of her first day.
    const from = onset + 6 * HOUR;
    const fall = within(s, from, from + 6 * HOUR);
    const sameHours = within(s, from - 3 * 24 * HOUR, from - 3 * 24 * HOUR + 6 * HOUR);
    expect(mean(fall, 'ruminationMin') / mean(sameHours, 'ruminationMin')).toBeLessThan(0.75);
    const day = (d: number) => within(s, onset + d * 24 * HOUR, onset + (d + 1) * 24 * HOUR);
    expect(mean(day(2), 'ruminationMin') / mean(firstDay, 'ruminationMin')).toBeLessThan(0.7);
    expect(mean(day(2), 'eatingMin') / mean(firstDay, 'eatingMin')).toBeLessThan(0.75);
    expect(Math.max(...day(2).map((p) => p.temperatureC))).toBeLessThan(39.5);
  });

  it('lameness: activity falls over days and the cow moves less', () => {
    const { onset } = eventOf('lameness', 'gauri');
    const s = series('C-0004');
    const before = within(s, onset - 48 * HOUR, onset);
    const late = within(s, onset + 48 * HOUR, onset + 72 * HOUR);
    expect(mean(late, 'activity') / mean(before, 'activity')).toBeLessThan(0.7);
    const path = (points: typeof s) =>
      points
        .slice(1)
        .reduce(
          (sum, p, i) => sum + Math.hypot(p.lat - (points[i]?.lat ?? 0), p.lon - (points[i]?.lon ?? 0)),
          0,
        );
    expect(path(late)).toBeLessThan(path(within(s, onset - 24 * HOUR, onset)) * 0.6);
  });

  it('calving comes in stages: temperature drops the day before, rumination and restlessness in the last hours', () => {
    const { onset, e } = eventOf('calving', 'noor');
    const params = e.params;
    const calf = onset + 24 * HOUR;
    const s = series('C-0007');
    // Each stage starts on the cow's own clock, drawn per event.
    const cooled = calf - (Number(params.tempLeadH) - 6) * HOUR;
    expect(
      baseline(s, cooled, calf, 'temperatureC') - mean(within(s, cooled, calf), 'temperatureC'),
    ).toBeGreaterThan(0.2);
    const restlessFrom = calf - Number(params.restlessLeadH) * HOUR;
    const restless = within(s, restlessFrom, calf);
    expect(mean(restless, 'activity') / baseline(s, restlessFrom, calf, 'activity')).toBeGreaterThan(1.2);
    const rumFrom = calf - Number(params.ruminationLeadH) * HOUR;
    expect(
      mean(within(s, rumFrom, calf), 'ruminationMin') / baseline(s, rumFrom, calf, 'ruminationMin'),
    ).toBeLessThan(1 - Number(params.ruminationDrop) + 0.15);
    // Before the temperature falls, she is her usual self.
    const before = calf - Number(params.tempLeadH) * HOUR;
    expect(
      Math.abs(
        baseline(s, before - 6 * HOUR, before, 'temperatureC') -
          mean(within(s, before - 6 * HOUR, before), 'temperatureC'),
      ),
    ).toBeLessThan(0.15);
  });

  it('collar offline: silence for the whole event, with a retained last will only when it has one', () => {
    for (const [cowId, collarId, will] of [
      ['mimosa', 'C-0005', true],
      ['rosie', 'C-0006', false],
    ] as const) {
      const { onset, end } = eventOf('collar-offline', cowId);
      expect(within(series(collarId), onset, end)).toEqual([]);
      expect(within(series(collarId), end, end + HOUR).length).toBeGreaterThan(0);
      const words = data.statuses.filter((st) => st.collarId === collarId).map((st) => st.word);
      expect(words).toEqual(will ? ['online', 'offline', 'online'] : ['online']);
    }
  });

  it('low battery: the level crosses 0.15 at onset and stays low until the battery is changed', () => {
    const { onset, end } = eventOf('battery-low', 'estrela');
    const s = series('C-0008');
    expect(within(s, onset - 6 * HOUR, onset).every((p) => p.battery > 0.15)).toBe(true);
    expect(within(s, onset + 5 * 60_000, end).every((p) => p.battery < 0.15)).toBe(true);
    expect(within(s, end, end + HOUR).every((p) => p.battery > 0.9)).toBe(true);
  });

  it('geofence: positions outside the pasture polygon only during the event', () => {
    const { onset, end } = eventOf('geofence', 'marguerite');
    const pasture = new Pasture(herd.farms[0]?.pasture ?? []);
    const inside = (p: { lat: number; lon: number }) =>
      pasture.contains((p.lon - pasture.lon0) * pasture.mPerDegLon, (p.lat - pasture.lat0) * 111_320);
    const s = series('C-0009');
    expect(within(s, onset, end).every((p) => !inside(p))).toBe(true);
    expect(s.filter((p) => p.ts < onset || p.ts >= end).every(inside)).toBe(true);
    for (const other of data.series.values()) expect(other.length).toBeGreaterThan(0);
  });

  it('sensor faults: a stuck temperature repeats one value; an impossible one leaves the living range', () => {
    const stuck = eventOf('sensor-fault', 'kamdhenu');
    expect(new Set(within(series('C-0010'), stuck.onset, stuck.end).map((p) => p.temperatureC)).size).toBe(1);
    const bad = eventOf('sensor-fault', 'sundari');
    const temps = within(series('C-0011'), bad.onset, bad.end).map((p) => p.temperatureC);
    expect(temps.length).toBeGreaterThan(60);
    expect(temps.every((t) => t < 34 || t > 43)).toBe(true);
  });

  it('herd heat stress: the whole herd runs hotter and ruminates less on the hot afternoon', () => {
    const { onset, end } = eventOf('herd-heat-stress', null);
    const mid = { from: onset + 2 * HOUR, to: end - 2 * HOUR };
    let hotter = 0;
    for (const [collarId, s] of data.series) {
      if (['C-0002', 'C-0010', 'C-0011', 'C-0007'].includes(collarId)) continue; // own events
      const rise =
        mean(within(s, mid.from, mid.to), 'temperatureC') - baseline(s, mid.from, mid.to, 'temperatureC');
      if (rise > 0.4) hotter++;
    }
    expect(hotter).toBeGreaterThanOrEqual(7);
  });

  it('delivery: late batches after coverage gaps, duplicates and malformed messages, as counted in the truth', () => {
    const d = run.truth.delivery;
    expect(d.lateBatches.length).toBeGreaterThan(0);
    expect(data.batches).toBe(d.lateBatches.length);
    const late = [...data.series.values()].flat().filter((p) => p.arrival > p.ts);
    expect(late.length).toBe(d.lateBatches.reduce((s, b) => s + b.readings, 0));
    expect(data.duplicates).toBe(d.duplicates);
    expect(d.duplicates).toBeGreaterThan(0);
    expect(data.invalid).toBe(Object.values(d.malformed).reduce((s, n) => s + n, 0));
    expect(data.invalid).toBeGreaterThan(0);
  });
});
