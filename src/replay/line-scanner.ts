/**
 * Replay's fast path: one recording line `{"topic":"...","payload":{...}}` straight to readings, in
 * the key order the simulator and the collars write, without building JSON objects, substrings or
 * Dates. JSON.parse plus garbage collection was most of replay's time (issue 4 asks for 300,000
 * readings per second on one core).
 *
 * It checks the same rules as protocol.ts (readingMessageSchema, batchMessageSchema) and parse.ts
 * (payload size, collar match, known farm and collar), but only for text it fully recognises: any
 * other key order, unknown or repeated key, whitespace, escape, non-ASCII character, timestamp form
 * it does not convert, or invalid value makes scan() return null, and the caller takes the general
 * path (JSON.parse and the schemas), which decides and gives the rejection reason. So it can make
 * replay faster, never accept more. Tests compare it with parseTelemetry on simulator output, edge
 * cases and mutated payloads.
 */
import type { Registry } from '../config/registry.js';
import {
  READING_LIMITS as L,
  MAX_BATCH_READINGS,
  MAX_PAYLOAD_BYTES,
  parseCollarTopic,
  type Reading,
} from '../telemetry/protocol.js';
import { ByteReader, type Literal, literal, literalAt } from './byte-reader.js';
import { rfc3339ToMs } from './rfc3339.js';

/** A telemetry topic of a known collar on a known farm. */
export interface ScanTarget {
  farmId: string;
  collarId: string;
  cowId: string;
  /** `farmId/collarId`, built once per collar. */
  key: string;
  collarBytes: Literal;
}

/** Topics of known collars are remembered (one per collar), up to this many. */
const MAX_TOPICS = 200_000;
const LINE_HEAD = literal('{"topic":"');
const PAYLOAD_HEAD = literal('","payload":{"v":1,"collarId":"');
const BATCH_HEAD = literal(',"readings":[');
const FIRST_TS = literal(',"ts":');
const ENTRY_TS = literal('{"ts":');
const SEQ = literal(',"seq":');
const INTERVAL = literal(',"intervalS":');
const ACTIVITY = literal(',"activity":');
const RUMINATION = literal(',"ruminationMin":');
const EATING = literal(',"eatingMin":');
const TEMPERATURE = literal(',"temperatureC":');
const BATTERY = literal(',"battery":');
const LAT = literal(',"lat":');
const LON = literal(',"lon":');
const RSSI = literal(',"rssi":');
const QUOTE = 0x22;
const CLOSE = 0x7d; // }
/** Room for the largest valid payload and its topic; longer lines take the general path. */
const BUFFER_BYTES = MAX_PAYLOAD_BYTES + 1024;

interface KnownTopic {
  topic: Literal;
  target: ScanTarget;
}

export class LineScanner extends ByteReader {
  /** The readings of the last accepted line, in ts order (a new array per line). */
  readings: Reading[] = [];
  private readonly topics = new Map<number, KnownTopic>();
  /** The last timestamp text converted (up to 64 bytes), and its value. */
  private readonly lastTs = new Uint8Array(64);
  private readonly lastTsView = new DataView(this.lastTs.buffer);
  private lastTsLength = -1;
  private lastTsMs = Number.NaN;

  constructor(private readonly registry: Registry) {
    super(BUFFER_BYTES);
  }

  /** The collar of a line it accepted (its readings in `readings`), or null: take the general path. */
  scan(line: string): ScanTarget | null {
    // Only ASCII lines: then characters are bytes, as parse.ts counts them against MAX_PAYLOAD_BYTES.
    if (!this.load(line)) return null;
    const b = this.bytes;
    const v = this.view;
    const written = this.length;
    if (!literalAt(v, 0, LINE_HEAD)) return null;
    const topicStart = LINE_HEAD.bytes.length;
    // Characters are bytes here (ASCII), so the string's index is the byte's.
    const topicEnd = line.indexOf('"', topicStart);
    if (topicEnd < 0 || !literalAt(v, topicEnd, PAYLOAD_HEAD)) return null;
    const target = this.target(line, topicStart, topicEnd);
    if (target === null) return null;
    // The payload runs from its `{` to the line's last byte but one (the line's closing `}`).
    const payloadStart = topicEnd + '","payload":'.length;
    if (written - 1 - payloadStart > MAX_PAYLOAD_BYTES) return null;
    let p = topicEnd + PAYLOAD_HEAD.bytes.length;
    const collar = target.collarBytes.bytes.length;
    if (!literalAt(v, p, target.collarBytes) || b[p + collar] !== QUOTE) return null;
    p += collar + 1;
    this.pos = p;
    let readings: Reading[];
    if (literalAt(v, p, BATCH_HEAD)) {
      this.pos = p + BATCH_HEAD.bytes.length;
      const batch = this.batch(target);
      if (batch === null) return null;
      readings = batch;
    } else {
      const reading = this.reading(target, FIRST_TS);
      if (reading === null) return null;
      readings = [reading];
    }
    // The payload's `}` (reading() stops on it), the line's `}`, and nothing after.
    p = this.pos;
    if (b[p] !== CLOSE || b[p + 1] !== CLOSE || p + 2 !== written) return null;
    this.readings = readings;
    return target;
  }

  /**
   * The target of the topic at bytes [start, end), found by a hash of its bytes and then compared
   * with them (a Map keyed by a substring would build and hash a new string per line).
   */
  private target(line: string, start: number, end: number): ScanTarget | null {
    const b = this.bytes;
    const v = this.view;
    let hash = end - start;
    let i = start;
    for (; i + 4 <= end; i += 4) hash = Math.imul(hash ^ v.getInt32(i, true), 0x9e3779b1);
    for (; i < end; i++) hash = Math.imul(hash ^ (b[i] as number), 0x9e3779b1);
    // 30 bits: a small integer key, which a Map hashes faster than a heap number.
    hash &= 0x3fffffff;
    const known = this.topics.get(hash);
    if (known !== undefined) {
      const same = known.topic.bytes.length === end - start && literalAt(v, start, known.topic);
      if (same) return known.target;
      return null; // another topic with the same hash: the general path serves it
    }
    const topic = line.slice(start, end);
    const where = parseCollarTopic(topic);
    let target: ScanTarget | null = null;
    if (where?.kind === 'telemetry' && this.registry.farms.has(where.farmId)) {
      const owner = this.registry.collarOwner(where.farmId, where.collarId);
      if (owner !== undefined)
        target = {
          farmId: where.farmId,
          collarId: where.collarId,
          cowId: owner.cowId,
          key: `${where.farmId}/${where.collarId}`,
          collarBytes: literal(where.collarId),
        };
    }
    // Only the herd's collars are kept, so junk topics in a recording cannot grow the map.
    if (target !== null && this.topics.size < MAX_TOPICS)
      this.topics.set(hash, { topic: literal(topic), target });
    return target;
  }

  /** `{entry},{entry}...]` up to the payload's `}`; readings sorted by ts as parse.ts does. */
  private batch(target: ScanTarget): Reading[] | null {
    const b = this.bytes;
    const list: Reading[] = [];
    let sorted = true;
    for (;;) {
      if (list.length === MAX_BATCH_READINGS) return null;
      const reading = this.reading(target, ENTRY_TS);
      if (reading === null) return null;
      const previous = list[list.length - 1];
      if (previous !== undefined && reading.ts < previous.ts) sorted = false;
      list.push(reading);
      const next = b[++this.pos];
      this.pos++;
      if (next === 0x5d) break; // ]
      if (next !== 0x2c) return null; // ,
    }
    // Array sort is stable, as in parse.ts, so equal timestamps keep their batch order.
    if (!sorted) list.sort((x, y) => x.ts - y.ts);
    return list;
  }

  /**
   * One reading's fields from `head` (which ends in `"ts":`) in protocol order, each optional field
   * at most once; stops on the `}` after the last field. Same checks as protocol.ts readingFields.
   */
  private reading(target: ScanTarget, head: Literal): Reading | null {
    if (!this.key(head)) return null;
    const ts = this.timestamp();
    if (!this.key(SEQ)) return null;
    const seq = this.number();
    if (!this.key(INTERVAL)) return null;
    const intervalS = this.number();
    if (!this.key(ACTIVITY)) return null;
    const activity = this.number();
    if (
      Number.isNaN(ts) ||
      !Number.isSafeInteger(seq) ||
      seq < 0 ||
      !Number.isSafeInteger(intervalS) ||
      intervalS < L.intervalS.min ||
      intervalS > L.intervalS.max ||
      !(activity >= 0 && activity < Number.POSITIVE_INFINITY)
    )
      return null;
    // Same expression as protocol.ts checkReadingRules.
    const maxMin = intervalS / 60 + L.minutesSlack;
    const ruminationMin = this.key(RUMINATION) ? this.number() : undefined;
    if (ruminationMin !== undefined && !(ruminationMin >= 0 && ruminationMin <= maxMin)) return null;
    const eatingMin = this.key(EATING) ? this.number() : undefined;
    if (eatingMin !== undefined && !(eatingMin >= 0 && eatingMin <= maxMin)) return null;
    const temperatureC = this.key(TEMPERATURE) ? this.number() : undefined;
    if (
      temperatureC !== undefined &&
      !(temperatureC >= L.temperatureC.min && temperatureC <= L.temperatureC.max)
    )
      return null;
    const battery = this.key(BATTERY) ? this.number() : undefined;
    if (battery !== undefined && !(battery >= L.battery.min && battery <= L.battery.max)) return null;
    let lat: number | undefined;
    let lon: number | undefined;
    if (this.key(LAT)) {
      lat = this.number();
      if (!(lat >= L.lat.min && lat <= L.lat.max) || !this.key(LON)) return null;
      lon = this.number();
      if (!(lon >= L.lon.min && lon <= L.lon.max)) return null;
    }
    const rssi = this.key(RSSI) ? this.number() : undefined;
    if (rssi !== undefined && !Number.isFinite(rssi)) return null;
    if (this.bytes[this.pos] !== CLOSE) return null;
    const { farmId, collarId, cowId } = target;
    // The usual reading has every field: one literal then, instead of growing the object field by field.
    if (
      ruminationMin !== undefined &&
      eatingMin !== undefined &&
      temperatureC !== undefined &&
      battery !== undefined &&
      lat !== undefined &&
      lon !== undefined &&
      rssi !== undefined
    ) {
      // biome-ignore format: one field per reading property reads worse here
      return { farmId, collarId, cowId, ts, seq, intervalS, activity, ruminationMin, eatingMin, temperatureC, battery, lat, lon, rssi };
    }
    // Otherwise only the fields present, in the order parse.ts adds them.
    const reading: Reading = { farmId, collarId, cowId, ts, seq, intervalS, activity };
    if (ruminationMin !== undefined) reading.ruminationMin = ruminationMin;
    if (eatingMin !== undefined) reading.eatingMin = eatingMin;
    if (temperatureC !== undefined) reading.temperatureC = temperatureC;
    if (battery !== undefined) reading.battery = battery;
    if (lat !== undefined) reading.lat = lat;
    if (lon !== undefined) reading.lon = lon;
    if (rssi !== undefined) reading.rssi = rssi;
    return reading;
  }

  /** A `"RFC 3339"` string or a Unix-ms integer, as timestampSchema takes them; NaN when not. */
  private timestamp(): number {
    const b = this.bytes;
    if (b[this.pos] !== QUOTE) {
      const ms = this.number();
      return Number.isSafeInteger(ms) && ms >= 0 && ms <= L.maxTsMs ? ms : Number.NaN;
    }
    const start = this.pos + 1;
    // The usual form, 2026-03-02T10:15:00Z, is 20 characters long; look there for the closing quote.
    let end = b[start + 20] === QUOTE ? start + 20 : start;
    while (end < this.length && b[end] !== QUOTE) end++;
    if (end >= this.length) return Number.NaN;
    this.pos = end + 1;
    // A herd reports the same interval's end: the text of the last timestamp converted often repeats.
    const n = end - start;
    if (n === this.lastTsLength) {
      const v = this.view;
      const last = this.lastTsView;
      let i = 0;
      for (; i + 4 <= n; i += 4) if (v.getInt32(start + i, true) !== last.getInt32(i, true)) break;
      for (; i < n; i++) if (b[start + i] !== this.lastTs[i]) break;
      if (i === n) return this.lastTsMs;
    }
    const ms = rfc3339ToMs(b, start, end);
    if (!Number.isNaN(ms) && n <= this.lastTs.length) {
      this.lastTs.set(b.subarray(start, end));
      this.lastTsLength = n;
      this.lastTsMs = ms;
    }
    return ms;
  }
}
