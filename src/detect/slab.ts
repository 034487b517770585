/**
 * Fixed-stride storage for per-cow numbers: one Float64Array and one Float32Array shared by all cows,
 * grown by doubling, with freed rows reused. A row index is a cow's handle into both.
 */
import { F32_STRIDE, F64_STRIDE } from './layout.js';

export class StateSlab {
  f64: Float64Array;
  f32: Float32Array;
  #capacity: number;
  #next = 0;
  #free: number[] = [];

  constructor(initialCapacity = 64) {
    this.#capacity = initialCapacity;
    this.f64 = new Float64Array(initialCapacity * F64_STRIDE);
    this.f32 = new Float32Array(initialCapacity * F32_STRIDE);
  }

  /** Takes a fresh row with every field unset (NaN, counters 0 are set by the caller). */
  allocate(): number {
    const row = this.#free.pop() ?? this.#next++;
    if (row >= this.#capacity) this.#grow();
    this.f64.fill(Number.NaN, row * F64_STRIDE, (row + 1) * F64_STRIDE);
    this.f32.fill(Number.NaN, row * F32_STRIDE, (row + 1) * F32_STRIDE);
    return row;
  }

  /** Makes room for `rows` rows in total at once (no doubling slack when the herd size is known). */
  reserve(rows: number): void {
    if (rows > this.#capacity) this.#resize(rows);
  }

  release(row: number): void {
    this.#free.push(row);
  }

  /** Bytes held by the slabs. */
  bytes(): number {
    return this.f64.byteLength + this.f32.byteLength;
  }

  #grow(): void {
    this.#resize(Math.ceil(this.#capacity * 1.5));
  }

  #resize(capacity: number): void {
    this.#capacity = capacity;
    const f64 = new Float64Array(this.#capacity * F64_STRIDE);
    f64.set(this.f64);
    const f32 = new Float32Array(this.#capacity * F32_STRIDE);
    f32.set(this.f32);
    this.f64 = f64;
    this.f32 = f32;
  }
}
