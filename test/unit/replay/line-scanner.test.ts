/**
 * The replay line scanner must accept only what parseTelemetry accepts, with the same readings, and
 * leave everything else to the general path: on simulator output, hand-made edge cases, and a few
 * thousand mutated payloads. A replay forced through the general path must end the same.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { simulatedFarm } from '../../../bench/quality.js';
import { simulateHerd } from '../../../simulator/index.js';
import { LineScanner } from '../../../src/replay/line-scanner.js';
import { createReplayer } from '../../../src/replay/replay.js';
import { parseTelemetry } from '../../../src/telemetry/parse.js';

const farm = simulatedFarm({ cows: 8, farmId: 'scan', seed: 11 });
afterAll(() => farm.cleanup());

/** Simulator messages as [topic, payload text], and the recording lines the bench builds from them. */
const messages: [string, string][] = [];
const lines: string[] = [];
simulateHerd({ configDir: farm.dir, seed: 11, days: 2 }).run((_t, _c, topic, text, json) => {
  messages.push([topic, text]);
  lines.push(
    json
      ? `{"topic":"${topic}","payload":${text}}`
      : `{"topic":${JSON.stringify(topic)},"payload":${JSON.stringify(text)}}`,
  );
});
const telemetry = messages.filter(([topic]) => topic.endsWith('/telemetry'));
const topic = telemetry[0]?.[0] ?? '';
const collarId = topic.split('/')[3] ?? '';
const encoder = new TextEncoder();

/** Scans `{"topic":...,"payload":<payload>}`; when it accepts, parseTelemetry must agree exactly. */
function check(scanner: LineScanner, on: string, payload: string): boolean {
  const target = scanner.scan(`{"topic":"${on}","payload":${payload}}`);
  if (target === null) return false;
  const slow = parseTelemetry(on, encoder.encode(payload), farm.registry);
  expect(slow.ok, payload).toBe(true);
  if (!slow.ok) return true;
  expect({ ...target, key: undefined, collarBytes: undefined }).toEqual({
    farmId: slow.farmId,
    collarId: slow.collarId,
    cowId: slow.cowId,
  });
  expect(scanner.readings, payload).toStrictEqual(slow.readings);
  return true;
}

/** A canonical single reading as [key, JSON value text], in the simulator's order. */
const fields = (): [string, string][] => [
  ['v', '1'],
  ['collarId', `"${collarId}"`],
  ['ts', '"2026-03-02T10:15:00Z"'],
  ['seq', '5'],
  ['intervalS', '300'],
  ['activity', '312'],
  ['ruminationMin', '2.5'],
  ['eatingMin', '1.0'],
  ['temperatureC', '38.70'],
  ['battery', '0.870'],
  ['lat', '31.520000'],
  ['lon', '74.350000'],
  ['rssi', '-71'],
];
const text = (f: [string, string][]) => `{${f.map(([k, v]) => `"${k}":${v}`).join(',')}}`;
const entry = (f: [string, string][]) => text(f.filter(([k]) => k !== 'v' && k !== 'collarId'));
const batch = (entries: string[]) => `{"v":1,"collarId":"${collarId}","readings":[${entries.join(',')}]}`;
/** The canonical fields with `key` set to `value` (null: left out). */
const withField = (key: string, value: string | null) =>
  fields().flatMap(([k, v]): [string, string][] =>
    k !== key ? [[k, v]] : value === null ? [] : [[k, value]],
  );
const set = (key: string, value: string | null) => text(withField(key, value));
/** A batch entry with only the required fields. */
const short = (seq: number) =>
  `{"ts":${1772446500000 + seq * 300_000},"seq":${seq},"intervalS":300,"activity":1}`;
/** A batch of n entries whose rssi carries `zeros` extra digits, to reach a payload size. */
const padded = (n: number, zeros: number) =>
  batch(
    Array.from({ length: n }, (_, i) =>
      entry(withField('seq', String(i))).replace('"rssi":-71', `"rssi":-71.${'0'.repeat(zeros)}`),
    ),
  );

describe('LineScanner', () => {
  it('accepts every valid simulator message, with the readings parseTelemetry gives', () => {
    const scanner = new LineScanner(farm.registry);
    let valid = 0;
    let scanned = 0;
    for (const [on, payload] of telemetry) {
      if (parseTelemetry(on, encoder.encode(payload), farm.registry).ok) valid++;
      if (check(scanner, on, payload)) scanned++;
    }
    expect(valid).toBeGreaterThan(2000);
    expect(scanned).toBe(valid);
  });

  const cases: [string, string, boolean][] = [
    ['a full reading', text(fields()), true],
    ['no optional fields', set('ruminationMin', null), true],
    ['ts in Unix ms', set('ts', '1772446500000'), true],
    ['ts with an offset and a fraction', set('ts', '"2026-03-02T15:15:00.1234+05:00"'), true],
    ['negative zero activity', set('activity', '-0'), true],
    ['an exponent', set('activity', '3.12e2'), true],
    ['a long fraction', set('temperatureC', '38.123456789012345678'), true],
    ['a batch out of ts order', batch([entry(fields()), entry(withField('ts', '1772440000000'))]), true],
    ['a batch with equal ts', batch([entry(fields()), entry(withField('seq', '4'))]), true],
    ['lowercase t and z (valid, general path)', set('ts', '"2026-03-02t10:15:00z"'), false],
    ['24:00 (valid, general path)', set('ts', '"2026-03-02T24:00:00Z"'), false],
    [
      'other key order (valid, general path)',
      text([...fields().slice(1, 2), ...fields().slice(0, 1), ...fields().slice(2)]),
      false,
    ],
    ['an unknown key (valid, general path)', text([...fields(), ['extra', '1']]), false],
    ['whitespace (valid, general path)', text(fields()).replace(',"seq"', ', "seq"'), false],
    ['an escaped ts (valid, general path)', set('ts', '"2026-03-02T10:15:00\\u005a"'), false],
    ['wrong version', set('v', '2'), false],
    ['collar mismatch', set('collarId', '"C-9999"'), false],
    ['seq negative', set('seq', '-1'), false],
    ['seq fractional', set('seq', '1.5'), false],
    ['seq past 2^53', set('seq', '9007199254740992'), false],
    ['interval 0', set('intervalS', '0'), false],
    ['interval 86401 (over a day)', set('intervalS', '86401'), false],
    ['interval 7200 (a 2-h neck tag block)', set('intervalS', '7200'), true],
    ['activity as a string', set('activity', '"312"'), false],
    ['activity infinite', set('activity', '1e400'), false],
    ['rumination over the interval', set('ruminationMin', '5.1'), false],
    ['temperature 45.01', set('temperatureC', '45.01'), false],
    ['battery 1.2', set('battery', '1.2'), false],
    ['lat without lon', set('lon', null), false],
    ['lon 181', set('lon', '181'), false],
    ['rssi null', set('rssi', 'null'), false],
    ['ts without offset', set('ts', '"2026-03-02T10:15:00"'), false],
    ['ts not a real date', set('ts', '"2026-13-45T10:15:00Z"'), false],
    ['ts negative ms', set('ts', '-1'), false],
    ['a repeated key', text([...fields(), ['rssi', '5']]), false],
    ['a leading zero', set('seq', '05'), false],
    ['empty batch', batch([]), false],
    ['batch of 500', batch(Array.from({ length: 500 }, (_, i) => short(i))), true],
    ['batch of 501', batch(Array.from({ length: 501 }, (_, i) => short(i))), false],
    ['batch entry with v (valid, general path)', batch([text(fields())]), false],
    ['non-ASCII in a value', set('ts', '"2026-03-02T10:15:00Z\u00e9"'), false],
  ];
  it.each(cases)('%s', (_name, payload, scanned) => {
    expect(check(new LineScanner(farm.registry), topic, payload)).toBe(scanned);
  });

  it('leaves unknown collars, status topics and payloads over 64 KiB to the general path', () => {
    const scanner = new LineScanner(farm.registry);
    expect(check(scanner, 'farms/scan/collars/GHOST-1/telemetry', set('collarId', '"GHOST-1"'))).toBe(false);
    expect(check(scanner, topic.replace('/telemetry', '/status'), text(fields()))).toBe(false);
    // 64 KiB exactly is still valid; one byte more is too large.
    const base = padded(200, 100);
    const fits = base.replace('"rssi":-71.', `"rssi":-71.${'0'.repeat(64 * 1024 - base.length)}`);
    expect(fits.length).toBe(64 * 1024);
    expect(check(scanner, topic, fits)).toBe(true);
    expect(check(scanner, topic, fits.replace('"rssi":-71.', '"rssi":-71.0'))).toBe(false);
    expect(parseTelemetry(topic, encoder.encode(`${fits} `), farm.registry)).toMatchObject({
      reason: 'too-large',
    });
  });

  it('declines every cut-short line, and lines longer than its buffer, without throwing', () => {
    const scanner = new LineScanner(farm.registry);
    const line = `{"topic":"${topic}","payload":${batch([entry(fields()), entry(withField('seq', '6'))])}}`;
    expect(scanner.scan(line)).not.toBeNull();
    for (let n = 0; n < line.length; n++) expect(scanner.scan(line.slice(0, n))).toBeNull();
    for (const size of [65 * 1024, 66 * 1024 - 1, 66 * 1024, 66 * 1024 + 1, 70 * 1024]) {
      const long = line.replace('"rssi":-71', `"rssi":-71.${'0'.repeat(size - line.length)}`);
      expect(scanner.scan(long)).toBeNull();
      expect(scanner.scan(long.slice(0, -2))).toBeNull();
    }
  });

  it('reads numbers as JSON.parse does (rssi takes any finite number)', () => {
    let seed = 99;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed % n;
    };
    const digits = (n: number) => Array.from({ length: n }, () => rand(10)).join('');
    const scanner = new LineScanner(farm.registry);
    for (let i = 0; i < 3000; i++) {
      const whole = rand(4) === 0 ? '0' : `${1 + rand(9)}${digits(rand(20))}`;
      const fraction = rand(2) === 0 ? '' : `.${digits(1 + rand(20))}`;
      const exponent =
        rand(4) === 0 ? `${rand(2) === 0 ? 'e' : 'E'}${['', '+', '-'][rand(3)]}${digits(1 + rand(3))}` : '';
      const number = `${rand(2) === 0 ? '-' : ''}${whole}${fraction}${exponent}`;
      const accepted = check(scanner, topic, set('rssi', number));
      expect(accepted, number).toBe(Number.isFinite(JSON.parse(number)));
      if (accepted) expect(Object.is(scanner.readings[0]?.rssi, JSON.parse(number)), number).toBe(true);
    }
  });

  it('agrees with parseTelemetry on thousands of mutated payloads', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed % n;
    };
    const chars = '0123456789-+.eE"{}[],: aZzT\\\u00e9\u0000';
    const values = [
      '0',
      '-0',
      '1',
      '1.0',
      '1e2',
      '1E-2',
      '-1',
      '3600',
      '45',
      '30',
      '1e400',
      '00',
      '.5',
      '"1"',
      'null',
      'true',
      '[]',
      '{}',
      '"2024-02-29T23:59:59.999-23:59"',
      '"2023-02-29T00:00:00Z"',
      '9007199254740993',
      '0.1234567890123456789',
    ];
    const scanner = new LineScanner(farm.registry);
    let accepted = 0;
    for (let i = 0; i < 4000; i++) {
      const f = fields();
      const k = rand(f.length);
      const pick = f[k] as [string, string];
      let payload: string;
      switch (rand(5)) {
        case 0:
          pick[1] = values[rand(values.length)] as string;
          payload = text(f);
          break;
        case 1: {
          const base = text(f);
          const at = rand(base.length);
          payload = base.slice(0, at) + chars[rand(chars.length)] + base.slice(at + 1);
          break;
        }
        case 2: {
          const base = text(f);
          const at = rand(base.length);
          payload = base.slice(0, at) + base.slice(at + 1 + rand(3));
          break;
        }
        case 3:
          f.splice(k, 1);
          payload = text(f);
          break;
        default: {
          const base = batch([entry(f), entry(fields())]);
          const at = rand(base.length);
          payload = base.slice(0, at) + chars[rand(chars.length)] + base.slice(at);
        }
      }
      if (check(scanner, topic, payload)) accepted++;
    }
    // Enough mutations keep a valid reading for the comparison to mean something.
    expect(accepted).toBeGreaterThan(300);
  });
});

describe('replay through the scanner', () => {
  it('ends exactly as a replay of the same recording through the general path', () => {
    const run = (input: string[]) => {
      const replayer = createReplayer({ registry: farm.registry });
      const conditions = input.flatMap((line) => replayer.push(line));
      conditions.push(...replayer.finish());
      return { summary: replayer.summary(), conditions };
    };
    // A space after the first key is still the same JSON, but no line matches the scanner then.
    const general = run(lines.map((line) => line.replace('{"topic":', '{"topic": ')));
    const fast = run(lines);
    expect(fast.summary.readings).toBeGreaterThan(4000);
    expect(fast).toStrictEqual(general);
  });
});
