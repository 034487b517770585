/**
 * Writes recording lines as bytes into a 1 MiB buffer: building a string per reading and encoding it
 * cost more than generating the reading. Output is byte-identical to the string path (measurement.ts).
 */
import { writeSync } from 'node:fs';
import type { Measurement } from './measurement.js';

const BUFFER_BYTES = 1 << 20;
/** Longest reading line this writer produces, with room to spare. */
const MAX_READING_BYTES = 1024;

/** Plain Uint8Arrays throughout, so the copy loops see one array type. */
export const ascii = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));
const RUMINATION = ascii(',"ruminationMin":');
const EATING = ascii(',"eatingMin":');
const TEMPERATURE = ascii(',"temperatureC":');
const BATTERY = ascii(',"battery":');
const LAT = ascii(',"lat":');
const LON = ascii(',"lon":');
const RSSI = ascii(',"rssi":');
const END = ascii('}}\n');

export class LineWriter {
  readonly #fd: number;
  // A plain Uint8Array view: element stores into it are cheaper than into the Buffer subclass.
  readonly #buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  readonly #buf = new Uint8Array(this.#buffer.buffer, this.#buffer.byteOffset, BUFFER_BYTES);
  #pos = 0;
  #tsField = '';
  /** `"ts":"...","seq":` of the current tick. */
  #tsBytes: Uint8Array = new Uint8Array(0);
  #intervalS = -1;
  /** `,"intervalS":300,"activity":` (constant for a run). */
  #intervalBytes: Uint8Array = new Uint8Array(0);
  bytes = 0;

  constructor(fd: number) {
    this.#fd = fd;
  }

  /** A line given as text (ASCII: ids are validated [A-Za-z0-9_-], payloads are JSON-escaped). */
  text(line: string): void {
    if (this.#pos + line.length > BUFFER_BYTES) this.flush();
    if (line.length > BUFFER_BYTES) {
      this.bytes += writeSync(this.#fd, line, null, 'latin1');
      return;
    }
    this.#pos += this.#buffer.write(line, this.#pos, 'latin1');
  }

  /** A reading line: `prefix` is `{"topic":"...","payload":{"v":1,"collarId":"...",` as bytes. */
  reading(prefix: Uint8Array, tsField: string, m: Measurement): void {
    if (this.#pos + MAX_READING_BYTES > BUFFER_BYTES) this.flush();
    if (tsField !== this.#tsField) {
      this.#tsField = tsField;
      this.#tsBytes = ascii(`${tsField},"seq":`);
    }
    if (m.intervalS !== this.#intervalS) {
      this.#intervalS = m.intervalS;
      this.#intervalBytes = ascii(`,"intervalS":${m.intervalS},"activity":`);
    }
    // Locals and plain functions: private-field access per byte was the writer's main cost.
    const buf = this.#buf;
    let pos = this.#pos;
    buf.set(prefix, pos);
    pos += prefix.length;
    buf.set(this.#tsBytes, pos);
    pos += this.#tsBytes.length;
    pos = putInt(buf, pos, m.seq);
    pos = putInt(buf, putBytes(buf, pos, this.#intervalBytes), m.activity);
    if (m.hasRumination) pos = putFixed(buf, putBytes(buf, pos, RUMINATION), m.ruminationMin, 10, 1);
    if (m.hasEating) pos = putFixed(buf, putBytes(buf, pos, EATING), m.eatingMin, 10, 1);
    if (m.hasTemperature) pos = putFixed(buf, putBytes(buf, pos, TEMPERATURE), m.temperatureC, 100, 2);
    if (m.hasBattery) pos = putFixed(buf, putBytes(buf, pos, BATTERY), m.battery, 1000, 3);
    if (m.hasPosition) {
      pos = putFixed6(buf, putBytes(buf, pos, LAT), m.lat);
      pos = putFixed6(buf, putBytes(buf, pos, LON), m.lon);
    }
    pos = putInt(buf, putBytes(buf, pos, RSSI), m.rssi);
    this.#pos = putBytes(buf, pos, END);
  }

  flush(): void {
    if (this.#pos === 0) return;
    this.bytes += writeSync(this.#fd, this.#buffer, 0, this.#pos);
    this.#pos = 0;
  }
}

function putBytes(buf: Uint8Array, pos: number, bytes: Uint8Array): number {
  const n = bytes.length;
  if (n > 14) {
    buf.set(bytes, pos);
    return pos + n;
  }
  for (let i = 0; i < n; i++) buf[pos + i] = bytes[i] as number;
  return pos + n;
}

/**
 * An integer, as String(n) writes it. Digits come from int32 arithmetic: `%` on a double compiles to a
 * call to fmod, which made this writer slower than building strings.
 */
function putInt(buf: Uint8Array, pos: number, n: number): number {
  if (n < 0) {
    buf[pos++] = 45; // '-'
    n = -n;
  }
  if (n > 0x7fffffff) {
    const text = String(n);
    for (let i = 0; i < text.length; i++) buf[pos + i] = text.charCodeAt(i);
    return pos + text.length;
  }
  let v = n | 0;
  let digits = 1;
  for (let p = 10; p <= v && digits < 10; p *= 10) digits++;
  const end = pos + digits;
  for (let i = end - 1; i >= pos; i--) {
    const q = (v / 10) | 0;
    buf[i] = 48 + v - q * 10;
    v = q;
  }
  return end;
}

/** As format.ts fixed1/2/3: k = round(x * scale), then whole part, '.', `decimals` digits. */
function putFixed(buf: Uint8Array, pos: number, x: number, scale: number, decimals: number): number {
  let k = Math.round(x * scale);
  if (k < 0) {
    buf[pos++] = 45;
    k = Math.round(-x * scale);
  }
  const whole = Math.floor(k / scale);
  return putDigits(buf, putInt(buf, pos, whole), (k - whole * scale) | 0, decimals);
}

/** As format.ts fixed6. */
function putFixed6(buf: Uint8Array, pos: number, x: number): number {
  if (x < 0) {
    buf[pos++] = 45;
    x = -x;
  }
  const whole = Math.floor(x);
  const k = Math.round((x - whole) * 1e6) | 0;
  if (k >= 1_000_000) return putDigits(buf, putInt(buf, pos, whole + 1), 0, 6);
  return putDigits(buf, putInt(buf, pos, whole), k, 6);
}

/** '.' and `count` digits of n (an int32), zero-padded. */
function putDigits(buf: Uint8Array, pos: number, n: number, count: number): number {
  buf[pos] = 46; // '.'
  let v = n | 0;
  for (let i = count; i >= 1; i--) {
    const q = (v / 10) | 0;
    buf[pos + i] = 48 + v - q * 10;
    v = q;
  }
  return pos + count + 1;
}
