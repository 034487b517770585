/**
 * Conditions found in late data (a batch buffered through a coverage gap). A condition that was raised
 * and cleared inside the late stream had already ended while its data was in transit: it is history,
 * marked `late`, not news. One still open when the late stream ends holds now, so it goes out as news
 * (with `fromDelayedData` in its evidence).
 */
import type { Condition } from './condition.js';

export function markLate(held: readonly Condition[]): Condition[] {
  const endedLate = new Set<number>();
  const openAt = new Map<string, number>();
  held.forEach((c, i) => {
    if (c.change === 'raised') openAt.set(c.kind, i);
    else if (c.change === 'cleared') {
      const raisedAt = openAt.get(c.kind);
      if (raisedAt !== undefined) {
        for (let j = raisedAt; j <= i; j++) if (held[j]?.kind === c.kind) endedLate.add(j);
        openAt.delete(c.kind);
      }
    }
  });
  return held.map((c, i) =>
    endedLate.has(i)
      ? { ...c, late: true, evidence: { ...c.evidence, late: true } }
      : c.change === 'raised'
        ? { ...c, evidence: { ...c.evidence, fromDelayedData: true } }
        : c,
  );
}
