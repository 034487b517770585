/** A source of time for the core: the system clock live, event time in replay, a hand-moved clock in tests. */
export interface Clock {
  /** Current time in Unix milliseconds. */
  now(): number;
}

/** Wall-clock time, for the live daemon. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told: event time in replay, a controllable clock in tests. */
export class ManualClock implements Clock {
  #nowMs: number;

  constructor(startMs = 0) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  /** Moves to `ms` if that is later than now; event time never runs backwards. */
  advanceTo(ms: number): void {
    if (ms > this.#nowMs) this.#nowMs = ms;
  }

  /** Moves forward by `ms` milliseconds. */
  advanceBy(ms: number): void {
    this.#nowMs += ms;
  }
}
