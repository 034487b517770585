/**
 * The duration-and-hysteresis state machine every rule shares: a condition is raised only after it has
 * held for `forMs`, and cleared only after its (stricter) clear test has held for `clearMs`, so a single
 * noisy reading never alerts and a condition does not flap around its threshold.
 */
import { CLEARING, ONSET, PENDING, RAISED } from './layout.js';

export type Step = 'raise' | 'clear' | null;

/**
 * Advances the slot starting at `at` in `s` to event time `ts`. `isOn`: the raise test holds now;
 * `isOff`: the clear test holds now (neither: no evidence either way, e.g. missing data, so nothing moves
 * except that a pending raise is dropped).
 */
export function stepSlot(
  s: Float64Array,
  at: number,
  ts: number,
  isOn: boolean,
  isOff: boolean,
  forMs: number,
  clearMs: number,
): Step {
  if (Number.isNaN(s[at + RAISED] as number)) {
    if (!isOn) {
      s[at + PENDING] = Number.NaN;
      return null;
    }
    const since = s[at + PENDING] as number;
    if (Number.isNaN(since)) s[at + PENDING] = ts;
    if (ts - (Number.isNaN(since) ? ts : since) < forMs) return null;
    s[at + ONSET] = Number.isNaN(since) ? ts : since;
    s[at + RAISED] = ts;
    s[at + CLEARING] = Number.NaN;
    return 'raise';
  }
  if (!isOff) {
    s[at + CLEARING] = Number.NaN;
    return null;
  }
  const since = s[at + CLEARING] as number;
  if (Number.isNaN(since)) s[at + CLEARING] = ts;
  if (ts - (Number.isNaN(since) ? ts : since) < clearMs) return null;
  resetSlot(s, at);
  return 'clear';
}

/** Raises at once (events reported by someone else, e.g. the broker's last will). */
export function raiseSlot(s: Float64Array, at: number, onsetTs: number, ts: number): void {
  s[at + PENDING] = onsetTs;
  s[at + ONSET] = onsetTs;
  s[at + RAISED] = ts;
  s[at + CLEARING] = Number.NaN;
}

export function resetSlot(s: Float64Array, at: number): void {
  s[at + PENDING] = Number.NaN;
  s[at + ONSET] = Number.NaN;
  s[at + RAISED] = Number.NaN;
  s[at + CLEARING] = Number.NaN;
}

export function isOpen(s: Float64Array, at: number): boolean {
  return !Number.isNaN(s[at + RAISED] as number);
}
