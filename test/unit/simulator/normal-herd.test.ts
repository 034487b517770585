import { describe, expect, it } from 'vitest';
import { loadHerd, simulateHerd } from '../../../simulator/index.js';
import { Pasture } from '../../../simulator/pasture.js';
import { collect, HOUR, mean, type Point, within } from './series.js';

// 30 cows (the demo farm's 12 plus 18 generated), 5 days, nothing injected.
const START = Date.parse('2026-03-02T00:00:00Z');
const herd = loadHerd({ configDir: 'config', farm: 'demo', cows: 30 });
const run = simulateHerd({ herd, scenario: 'normal', seed: 3, start: START, days: 5 });
const data = collect(run);
const all = [...data.series.values()];
/** Local (UTC+5, Asia/Karachi) midnights of the four whole local days in the run. */
const localDays = [1, 2, 3, 4].map((d) => START - 5 * HOUR + d * 24 * HOUR);
const sum = (points: Point[], field: 'ruminationMin' | 'eatingMin' | 'activity') =>
  points.reduce((s, p) => s + p[field], 0);
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN;
};

describe('a normal herd', () => {
  it('sends one valid reading per collar per interval and nothing else', () => {
    expect(data.invalid).toBe(0);
    expect(data.batches).toBe(0);
    expect(data.duplicates).toBe(0);
    expect(all).toHaveLength(30);
    for (const s of all) expect(s).toHaveLength(5 * 288);
    expect(run.truth.events).toEqual([]);
    expect(run.truth.benign).toEqual([]);
  });

  it('ruminates 400-600 min/day per cow on average, and eats 200-340 min/day', () => {
    for (const s of all) {
      const perDay = localDays.map((d) => sum(within(s, d, d + 24 * HOUR), 'ruminationMin'));
      const avg = perDay.reduce((a, b) => a + b, 0) / perDay.length;
      expect(avg).toBeGreaterThanOrEqual(400);
      expect(avg).toBeLessThanOrEqual(600);
      for (const day of perDay) expect(day).toBeGreaterThan(350);
      const eating = localDays.map((d) => sum(within(s, d, d + 24 * HOUR), 'eatingMin'));
      const eatAvg = eating.reduce((a, b) => a + b, 0) / eating.length;
      expect(eatAvg).toBeGreaterThanOrEqual(180);
      expect(eatAvg).toBeLessThanOrEqual(360);
    }
  });

  it('keeps body temperature within 38.0-39.3 C, warmest in the late afternoon', () => {
    const temps = all.flat().map((p) => p.temperatureC);
    expect(quantile(temps, 0.01)).toBeGreaterThanOrEqual(37.9);
    expect(quantile(temps, 0.99)).toBeLessThanOrEqual(39.35);
    expect(temps.filter((t) => t >= 38 && t <= 39.3).length / temps.length).toBeGreaterThan(0.97);
    const day = localDays[1] as number;
    const flat = all.flat();
    expect(mean(within(flat, day + 16 * HOUR, day + 18 * HOUR), 'temperatureC')).toBeGreaterThan(
      mean(within(flat, day + 4 * HOUR, day + 6 * HOUR), 'temperatureC') + 0.2,
    );
  });

  it('rests at night and is busiest at milking and feeding times, ruminating mostly at rest', () => {
    const flat = all.flat();
    const day = localDays[2] as number;
    const night = within(flat, day + 0 * HOUR, day + 4 * HOUR);
    const milking = within(flat, day + 5 * HOUR, day + 6 * HOUR);
    expect(mean(milking, 'activity')).toBeGreaterThan(4 * mean(night, 'activity'));
    expect(mean(night, 'ruminationMin')).toBeGreaterThan(3 * mean(milking, 'ruminationMin'));
  });

  it('has individual baselines that differ between cows', () => {
    const dailyActivity = all.map((s) => sum(s, 'activity') / 5);
    expect(Math.max(...dailyActivity) / Math.min(...dailyActivity)).toBeGreaterThan(1.3);
  });

  it('drains batteries slowly and keeps every cow inside the pasture', () => {
    const pasture = new Pasture(herd.farms[0]?.pasture ?? []);
    for (const s of all) {
      const first = s[0]?.battery ?? 0;
      const last = s.at(-1)?.battery ?? 0;
      expect(last).toBeLessThanOrEqual(first);
      expect(first - last).toBeLessThan(0.05);
      expect(last).toBeGreaterThan(0.15);
      for (const p of s) {
        expect(
          pasture.contains((p.lon - pasture.lon0) * pasture.mPerDegLon, (p.lat - pasture.lat0) * 111_320),
        ).toBe(true);
      }
    }
  });
});
