/**
 * The stored form of a reading's values: a typical reading's take 9 bytes (13 with a position), and
 * every value comes back exactly as received, whether or not it fits its sensor's usual precision.
 */
import { describe, expect, it } from 'vitest';
import { decodeValues, encodeValues, positionRef } from '../../../src/store/reading-codec.js';
import type { Reading } from '../../../src/telemetry/protocol.js';

type Values = Omit<Reading, 'farmId' | 'collarId' | 'cowId' | 'ts' | 'seq'>;
const HOME = positionRef({ lat: 31.523511, lon: 74.3587 });
const NOWHERE = positionRef({});

function roundTrip(values: Values, ref = HOME): Values {
  const back: Values = { intervalS: 0, activity: 0 };
  decodeValues(encodeValues(values, ref), ref, back);
  return back;
}

const typical: Values = {
  intervalS: 300,
  activity: 412,
  ruminationMin: 2.1,
  eatingMin: 0.9,
  temperatureC: 38.64,
  battery: 0.951,
  rssi: -74,
};

describe('reading values codec', () => {
  it('stores a typical reading in 9 bytes, and 13 with a position near its source', () => {
    expect(encodeValues(typical, HOME).length).toBe(9);
    expect(encodeValues({ ...typical, lat: 31.523811, lon: 74.3584 }, HOME).length).toBe(13);
    expect(roundTrip({ ...typical, lat: 31.523811, lon: 74.3584 })).toEqual({
      ...typical,
      lat: 31.523811,
      lon: 74.3584,
    });
  });

  it('gives back values the scale cannot hold exactly, extremes, and odd intervals, exactly', () => {
    const odd: Values[] = [
      { intervalS: 90, activity: 1e-7, temperatureC: 38.615, battery: 0.8745, rssi: -71.5 },
      { intervalS: 86_400, activity: 1e300, temperatureC: 45, battery: 0, lat: -90, lon: 180 },
      { intervalS: 1, activity: 0.1 + 0.2, ruminationMin: 0, eatingMin: 1 / 3, lat: 1e-7, lon: -179.9999999 },
      { intervalS: 59, activity: 2 ** 60, rssi: -1e-300, lat: 0.5, lon: -0.5 },
    ];
    for (const values of odd) {
      expect(roundTrip(values)).toEqual(values);
      expect(roundTrip(values, NOWHERE)).toEqual(values);
    }
    const negativeZero = roundTrip({ intervalS: 60, activity: -0 });
    expect(Object.is(negativeZero.activity, -0)).toBe(true);
  });

  it('round-trips many generated readings at collar precision and beyond', () => {
    let state = 7;
    const next = () => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state / 2 ** 31;
    };
    for (let i = 0; i < 2000; i++) {
      const fine = i % 5 === 0 ? 1e4 : 1;
      const values: Values = {
        intervalS: 1 + Math.floor(next() * 86_400),
        activity: Math.round(next() * 5000 * fine) / (10 * fine),
        temperatureC: Math.round((30 + next() * 15) * 100 * fine) / (100 * fine),
        battery: Math.round(next() * 1000 * fine) / (1000 * fine),
        rssi: -Math.round(next() * 130),
      };
      if (i % 2 === 0) {
        values.lat = Math.round((next() * 180 - 90) * 1e6 * fine) / (1e6 * fine);
        values.lon = Math.round((next() * 360 - 180) * 1e6 * fine) / (1e6 * fine);
      }
      expect(roundTrip(values)).toEqual(values);
    }
  });
});
