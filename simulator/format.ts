/**
 * Fixed-point number formatting through lookup tables: converting doubles to strings was most of
 * the generation time, and the protocol only needs a few decimals. Output is valid JSON numbers.
 */

const DIGITS3: string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const DIGITS2: string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** One decimal, e.g. 2.5 or 0.0. */
export function fixed1(x: number): string {
  const k = Math.round(x * 10);
  if (k < 0) return `-${fixed1(-x)}`;
  return `${(k / 10) | 0}.${k % 10}`;
}

/** Two decimals, e.g. 38.71. */
export function fixed2(x: number): string {
  const k = Math.round(x * 100);
  if (k < 0) return `-${fixed2(-x)}`;
  return `${(k / 100) | 0}.${DIGITS2[k % 100]}`;
}

/** Three decimals, e.g. 0.874. */
export function fixed3(x: number): string {
  const k = Math.round(x * 1000);
  if (k < 0) return `-${fixed3(-x)}`;
  return `${(k / 1000) | 0}.${DIGITS3[k % 1000]}`;
}

/** Six decimals (about 0.1 m of latitude), e.g. 31.523511. */
export function fixed6(x: number): string {
  if (x < 0) return `-${fixed6(-x)}`;
  const whole = Math.floor(x);
  const k = Math.round((x - whole) * 1e6);
  if (k >= 1e6) return `${whole + 1}.000000`;
  return `${whole}.${DIGITS3[(k / 1000) | 0]}${DIGITS3[k % 1000]}`;
}
