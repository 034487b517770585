/**
 * Replay's per-collar memory for telling redeliveries from out-of-order readings: the newest ts it
 * delivered, and its last (ts, seq) keys in a fixed ring (a Map with one insert and one delete per
 * reading allocated on every reading, which showed in the replay benchmark).
 */

/** How many (ts, seq) keys per collar are remembered. */
export const DEDUP_KEYS_PER_COLLAR = 64;

export class CollarDedup {
  /** Newest reading time delivered for this collar. */
  lastTs = Number.NEGATIVE_INFINITY;
  /** ts and seq pairs; NaN (equal to nothing) where none was stored yet. */
  private readonly keys = new Float64Array(2 * DEDUP_KEYS_PER_COLLAR).fill(Number.NaN);
  private next = 0;

  /** Records a delivered reading (its ts is newer than every key held), forgetting the oldest key. */
  deliver(ts: number, seq: number): void {
    this.lastTs = ts;
    this.keys[2 * this.next] = ts;
    this.keys[2 * this.next + 1] = seq;
    this.next = this.next + 1 === DEDUP_KEYS_PER_COLLAR ? 0 : this.next + 1;
  }

  /** Whether one of the remembered keys has this ts and this seq (a redelivery). */
  isRedelivery(ts: number, seq: number): boolean {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i += 2) if (keys[i] === ts) return keys[i + 1] === seq;
    return false;
  }
}
