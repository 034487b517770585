/**
 * Seeded randomness for the herd model: mulberry32 (small, fast, good enough for simulation) plus a
 * table-driven standard normal, so every run with the same seed produces the same bytes.
 */

const NORMAL_TABLE_BITS = 12;
const NORMAL_TABLE_SIZE = 1 << NORMAL_TABLE_BITS;

/** Standard normal quantiles at the midpoints of 4096 equal-probability bins (|z| <= 3.6). */
const NORMAL_TABLE = buildNormalTable();

export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) | 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal draw; a table lookup because Box-Muller's log/sqrt/cos dominate the hot loop. */
  normal(): number {
    return NORMAL_TABLE[(this.next() * NORMAL_TABLE_SIZE) | 0] as number;
  }

  /**
   * Log-normal factor with mean 1, exp(sigma*z - sigma^2/2), from a table made by logNormalTable
   * (the hot loop draws three per reading; Math.exp was a visible share of the time).
   */
  logNormal(table: Float64Array): number {
    return table[(this.next() * NORMAL_TABLE_SIZE) | 0] as number;
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return (this.next() * n) | 0;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick() from an empty list');
    return item;
  }

  /** An independent stream derived from this seed and a label (so adding a cow does not shift others). */
  fork(label: string): Random {
    return new Random(hashString(label) ^ Math.imul(this.#state, 0x9e3779b1));
  }
}

/** The table for Random.logNormal with this sigma. */
export function logNormalTable(sigma: number): Float64Array {
  return NORMAL_TABLE.map((z) => Math.exp(sigma * z - (sigma * sigma) / 2));
}

/** FNV-1a 32-bit hash, to turn ids into seeds. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function buildNormalTable(): Float64Array {
  const table = new Float64Array(NORMAL_TABLE_SIZE);
  for (let i = 0; i < NORMAL_TABLE_SIZE; i++) table[i] = inverseNormal((i + 0.5) / NORMAL_TABLE_SIZE);
  return table;
}

/** Acklam's rational approximation of the normal quantile (relative error < 1.2e-9). */
function inverseNormal(p: number): number {
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const tail = (q: number) => horner(c, q) / (horner(d, q) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (horner(a, r) * q) / (horner(b, r) * r + 1);
}

function horner(coefficients: number[], x: number): number {
  let sum = 0;
  for (const k of coefficients) sum = sum * x + k;
  return sum;
}
