/**
 * The simulation loop: walks event time one interval at a time, asks every cow for her reading and
 * turns readings into MQTT messages as a fleet delivers them (status changes, batches after coverage
 * gaps, duplicates, malformed messages), in arrival order.
 */
import { MAX_BATCH_READINGS, statusTopic, telemetryTopic } from '../src/telemetry/protocol.js';
import { type CollarProfile, fullCollar } from './collar-profiles.js';
import { Cow } from './cow.js';
import type { Herd } from './herd.js';
import { HerdContext } from './herd-context.js';
import { malformedMessage } from './malformed.js';
import { Measurement, readingBody } from './measurement.js';
import { type Plan, planRun } from './plan.js';
import { Random } from './random.js';
import type { Scenario } from './scenario.js';
import { defaultScenario } from './scenario.js';
import { iso, type Truth } from './truth.js';

export type MessageType = 'status' | 'reading' | 'batch' | 'duplicate' | 'malformed';

/**
 * Receives each message in arrival order. `text` is the exact payload; `json` is false when it is not
 * JSON (status words, truncated payloads). `collar` indexes `herd.collars` (-1: no such collar).
 */
export type Emit = (
  type: MessageType,
  collar: number,
  topic: string,
  text: string,
  json: boolean,
  retain: boolean,
) => void;

/** Receives plain readings as values instead of text (the recorder's fast path). */
export type ReadingSink = (collar: number, tsField: string, m: Measurement) => void;

export interface SimulationOptions {
  herd: Herd;
  scenario?: Scenario;
  seed?: number;
  /** First instant of the run (Unix ms); readings are stamped at the end of each interval after it. */
  start: number;
  days: number;
  /** A full collar reporting every 60 or 300 s (default 300); or give `collar`. */
  intervalS?: 60 | 300;
  /** The collar model every cow wears (simulator/collar-profiles.ts); overrides `intervalS`. */
  collar?: CollarProfile;
}

export class HerdSimulation {
  readonly herd: Herd;
  readonly truth: Truth;
  readonly plan: Plan;
  readonly start: number;
  readonly end: number;
  /** Step of the simulation, s (time advances by this per step()). */
  readonly intervalS: number;
  /** Seconds each reading covers: a multiple of the step (readings sum the steps they cover). */
  readonly reportS: number;
  readonly collar: CollarProfile;
  /** End of the interval the next step() generates. */
  t: number;
  readings = 0;
  messages = 0;

  readonly #scenario: Scenario;
  readonly #cows: Cow[];
  readonly #contexts: HerdContext[];
  readonly #farmOf: Int32Array;
  readonly #heads: string[];
  readonly #topics: string[];
  readonly #statusTopics: string[];
  readonly #noise: Random;
  readonly #delivery: Random;
  readonly #gapIndex: Int32Array;
  readonly #buffers: string[][];
  #pending: { collar: number; text: string }[] = [];
  readonly #m = new Measurement();
  /** Per collar: sums of the steps of the block being reported, and how many steps they hold. */
  readonly #block: {
    act: Float64Array;
    rum: Float64Array;
    eat: Float64Array;
    temp: Float64Array;
    steps: Int32Array;
  };
  readonly #seq: Float64Array;
  #started = false;

  constructor(options: SimulationOptions) {
    const seed = options.seed ?? 1;
    const random = new Random(seed);
    this.herd = options.herd;
    this.#scenario = options.scenario ?? defaultScenario();
    this.collar = options.collar ?? fullCollar(options.intervalS ?? 300);
    this.intervalS = this.collar.stepS;
    this.reportS = this.collar.reportS;
    // Blocks end on whole multiples of their length (2-h blocks at even hours, as neck tags report).
    const reportMs = this.reportS * 1000;
    this.start = Math.floor(options.start / reportMs) * reportMs;
    const stepMs = this.intervalS * 1000;
    this.end = this.start + Math.round(options.days * 86_400_000);
    this.t = this.start + stepMs;
    this.plan = planRun({
      herd: this.herd,
      scenario: this.#scenario,
      start: this.start,
      end: this.end,
      random: random.fork('plan'),
      collar: this.collar,
    });
    const farmIndex = new Map(this.herd.farms.map((f, i) => [f.id, i]));
    this.#contexts = this.herd.farms.map((f, i) => new HerdContext(f, this.plan.herdEvents[i] ?? []));
    this.#farmOf = Int32Array.from(this.herd.collars, (c) => farmIndex.get(c.farmId) ?? 0);
    this.#cows = this.herd.collars.map(
      (c, i) =>
        new Cow(
          this.plan.cowEvents[i] ?? [],
          this.start,
          random.fork(`cow:${c.farmId}:${c.collarId}`),
          this.#contexts[this.#farmOf[i] as number]?.pasture,
          this.collar.rhythm,
        ),
    );
    const n = this.herd.collars.length;
    this.#block = {
      act: new Float64Array(n),
      rum: new Float64Array(n),
      eat: new Float64Array(n),
      temp: new Float64Array(n),
      steps: new Int32Array(n),
    };
    this.#seq = Float64Array.from(this.#cows, (c) => c.seq);
    const m = this.#m;
    m.hasRumination = this.collar.rumination;
    m.hasEating = this.collar.eating;
    m.hasTemperature = this.collar.temperature;
    m.hasBattery = this.collar.battery;
    this.#heads = this.herd.collars.map((c) => `{"v":1,"collarId":"${c.collarId}",`);
    this.#topics = this.herd.collars.map((c) => telemetryTopic(c.farmId, c.collarId));
    this.#statusTopics = this.herd.collars.map((c) => statusTopic(c.farmId, c.collarId));
    this.#noise = random.fork('readings');
    this.#delivery = random.fork('delivery');
    this.#gapIndex = new Int32Array(this.herd.collars.length);
    this.#buffers = this.herd.collars.map(() => []);
    this.truth = {
      version: 1,
      seed,
      startTs: iso(this.start),
      endTs: iso(this.end),
      intervalS: this.reportS,
      farms: this.herd.farms.map((f) => ({
        id: f.id,
        cows: f.collars.map((c) => ({ cowId: c.cowId, collarId: c.collarId, generated: c.generated })),
      })),
      events: this.plan.truth,
      benign: this.plan.benign,
      delivery: { lateBatches: [], duplicates: 0, malformed: {} },
    };
  }

  get done(): boolean {
    return this.t > this.end;
  }

  /**
   * Generates the interval ending at `this.t`, emitting its messages; false once the run is over.
   * With `sink`, plain readings (not buffered, duplicated or followed by a malformed copy) go to it
   * as values; the order of all messages is the same either way.
   */
  step(emit: Emit, sink?: ReadingSink): boolean {
    if (this.done) return false;
    const t = this.t;
    const intervalS = this.intervalS;
    if (!this.#started) {
      this.#started = true;
      for (let i = 0; i < this.#cows.length; i++)
        this.#emit(emit, 'status', i, this.#statusTopics[i] as string, 'online', false, true);
    }
    const pending = this.#pending;
    this.#pending = [];
    for (const d of pending)
      this.#emit(emit, 'duplicate', d.collar, this.#topics[d.collar] as string, d.text, true, false);

    for (const ctx of this.#contexts) ctx.update(t, intervalS / 60);
    const tsField = `"ts":"${iso(t)}"`;
    const delivery = this.#scenario.delivery;
    const cows = this.#cows;
    for (let i = 0; i < cows.length; i++) {
      const cow = cows[i] as Cow;
      const wasOffline = cow.offline;
      cow.advance(t);
      if (cow.offline !== wasOffline) {
        const event = cow.offline ?? wasOffline;
        if (event?.params.lastWill === true) {
          this.#emit(
            emit,
            'status',
            i,
            this.#statusTopics[i] as string,
            cow.offline ? 'offline' : 'online',
            false,
            true,
          );
        }
      }
      if (cow.offline) {
        this.#block.steps[i] = 0;
        continue;
      }
      const m = this.#m;
      cow.measure(t, intervalS, this.#contexts[this.#farmOf[i] as number] as HerdContext, this.#noise, m);
      if (!this.#report(i, t, m)) continue;
      this.readings++;
      if (this.#inGap(i, t)) {
        (this.#buffers[i] as string[]).push(readingBody(m, tsField));
        continue;
      }
      if ((this.#buffers[i] as string[]).length > 0) this.#flush(emit, i, t);
      const duplicate = delivery.duplicateRate > 0 && this.#delivery.next() < delivery.duplicateRate;
      const malformed = delivery.malformedRate > 0 && this.#delivery.next() < delivery.malformedRate;
      if (sink && !duplicate && !malformed) {
        this.messages++;
        sink(i, tsField, m);
        continue;
      }
      const text = `${this.#heads[i]}${readingBody(m, tsField)}}`;
      this.#emit(emit, 'reading', i, this.#topics[i] as string, text, true, false);
      if (duplicate) {
        this.#pending.push({ collar: i, text });
        this.truth.delivery.duplicates++;
      }
      if (malformed) this.#malformed(emit, i, text);
    }
    this.t += intervalS * 1000;
    if (this.done) {
      // Redeliveries due after the last interval still arrive.
      for (const d of this.#pending) {
        this.#emit(emit, 'duplicate', d.collar, this.#topics[d.collar] as string, d.text, true, false);
      }
      this.#pending = [];
    }
    return true;
  }

  /** Runs to the end. */
  run(emit: Emit, sink?: ReadingSink): void {
    while (this.step(emit, sink)) {
      // each step emits its messages
    }
  }

  #emit(
    emit: Emit,
    type: Parameters<Emit>[0],
    i: number,
    topic: string,
    text: string,
    json: boolean,
    retain: boolean,
  ): void {
    this.messages++;
    emit(type, i, topic, text, json, retain);
  }

  /**
   * Whether collar `i` reports at the end of step `t`, with `m` holding what it reports: a block
   * collar sums its steps and reports once a block is complete (a block cut by an outage is not
   * reported); a reading lost on the radio is measured but never sent.
   */
  #report(i: number, t: number, m: Measurement): boolean {
    const collar = this.collar;
    m.hasPosition = m.hasPosition && collar.position;
    if (collar.reportS !== collar.stepS) {
      const b = this.#block;
      b.act[i] = (b.act[i] as number) + m.activity;
      b.rum[i] = (b.rum[i] as number) + m.ruminationMin;
      b.eat[i] = (b.eat[i] as number) + m.eatingMin;
      b.temp[i] = (b.temp[i] as number) + m.temperatureC;
      const steps = (b.steps[i] as number) + 1;
      b.steps[i] = steps;
      if ((t - this.start) % (collar.reportS * 1000) !== 0) return false;
      const complete = steps === collar.reportS / collar.stepS;
      m.activity = b.act[i] as number;
      m.ruminationMin = b.rum[i] as number;
      m.eatingMin = b.eat[i] as number;
      m.temperatureC = (b.temp[i] as number) / steps;
      m.intervalS = collar.reportS;
      m.seq = this.#seq[i] as number;
      b.act[i] = 0;
      b.rum[i] = 0;
      b.eat[i] = 0;
      b.temp[i] = 0;
      b.steps[i] = 0;
      if (!complete) return false;
      this.#seq[i] = m.seq + 1;
    }
    if (collar.lossRate > 0 && this.#delivery.next() < collar.lossRate) {
      this.truth.delivery.lostReadings = (this.truth.delivery.lostReadings ?? 0) + 1;
      return false;
    }
    return true;
  }

  #inGap(i: number, t: number): boolean {
    const gaps = this.plan.gaps[i] as { start: number; end: number }[];
    let k = this.#gapIndex[i] as number;
    while (k < gaps.length && (gaps[k] as { end: number }).end <= t) k++;
    this.#gapIndex[i] = k;
    const gap = gaps[k];
    return gap !== undefined && gap.start <= t;
  }

  /** The collar is back in coverage: its buffer goes out as batches of at most 500 readings. */
  #flush(emit: Emit, i: number, t: number): void {
    const buffer = this.#buffers[i] as string[];
    const collar = this.herd.collars[i];
    if (!collar) return;
    for (let k = 0; k < buffer.length; k += MAX_BATCH_READINGS) {
      const entries = buffer.slice(k, k + MAX_BATCH_READINGS).map((b) => `{${b}}`);
      const text = `{"v":1,"collarId":"${collar.collarId}","readings":[${entries.join(',')}]}`;
      this.#emit(emit, 'batch', i, this.#topics[i] as string, text, true, false);
    }
    const stepMs = this.intervalS * 1000;
    this.truth.delivery.lateBatches.push({
      farm: collar.farmId,
      cowId: collar.cowId,
      collarId: collar.collarId,
      gapStartTs: iso(t - buffer.length * stepMs),
      gapEndTs: iso(t),
      readings: buffer.length,
    });
    buffer.length = 0;
  }

  #malformed(emit: Emit, i: number, text: string): void {
    const collars = this.herd.collars;
    const collar = collars[i];
    if (!collar) return;
    const other = collars[(i + 1) % collars.length]?.collarId ?? 'OTHER';
    const bad = malformedMessage(
      this.#delivery,
      collar.farmId,
      other === collar.collarId ? 'OTHER' : other,
      this.#topics[i] as string,
      text,
    );
    const counts = this.truth.delivery.malformed;
    counts[bad.reason] = (counts[bad.reason] ?? 0) + 1;
    this.#emit(
      emit,
      'malformed',
      bad.reason === 'unknown-collar' ? -1 : i,
      bad.topic,
      bad.text,
      bad.json,
      false,
    );
  }
}
