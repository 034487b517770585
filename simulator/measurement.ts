/**
 * One reading's values, reused across readings, and its JSON text. The recorder's byte writer
 * (line-writer.ts) produces the same characters; tests compare the two paths.
 */
import { fixed1, fixed2, fixed3, fixed6 } from './format.js';

export class Measurement {
  seq = 0;
  intervalS = 300;
  /** Whole counts. */
  activity = 0;
  ruminationMin = 0;
  eatingMin = 0;
  temperatureC = 0;
  battery = 0;
  hasPosition = false;
  /** Sensors the collar has: a field it lacks is left out of the reading (unknown, never zero). */
  hasRumination = true;
  hasEating = true;
  hasTemperature = true;
  hasBattery = true;
  lat = 0;
  lon = 0;
  /** Whole dBm. */
  rssi = 0;
}

/** The reading's JSON fields from `"ts"` on, without braces: a batch entry is `{body}`. */
export function readingBody(m: Measurement, tsField: string): string {
  const position = m.hasPosition ? `,"lat":${fixed6(m.lat)},"lon":${fixed6(m.lon)}` : '';
  const rumination = m.hasRumination ? `,"ruminationMin":${fixed1(m.ruminationMin)}` : '';
  const eating = m.hasEating ? `,"eatingMin":${fixed1(m.eatingMin)}` : '';
  const temperature = m.hasTemperature ? `,"temperatureC":${fixed2(m.temperatureC)}` : '';
  const battery = m.hasBattery ? `,"battery":${fixed3(m.battery)}` : '';
  return `${tsField},"seq":${m.seq},"intervalS":${m.intervalS},"activity":${m.activity}${rumination}${eating}${temperature}${battery}${position},"rssi":${m.rssi}`;
}
