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
  lat = 0;
  lon = 0;
  /** Whole dBm. */
  rssi = 0;
}

/** The reading's JSON fields from `"ts"` on, without braces: a batch entry is `{body}`. */
export function readingBody(m: Measurement, tsField: string): string {
  const position = m.hasPosition ? `,"lat":${fixed6(m.lat)},"lon":${fixed6(m.lon)}` : '';
  return `${tsField},"seq":${m.seq},"intervalS":${m.intervalS},"activity":${m.activity},"ruminationMin":${fixed1(m.ruminationMin)},"eatingMin":${fixed1(m.eatingMin)},"temperatureC":${fixed2(m.temperatureC)},"battery":${fixed3(m.battery)}${position},"rssi":${m.rssi}`;
}
