/** The detector's coverage of every farm in words (start-up log, /readyz, `cowbell config check`). */
import type { Registry } from '../config/registry.js';
import type { Detector } from './detector.js';
import { describeCoverage } from './rule-coverage.js';
import { farmThresholds } from './thresholds.js';

export function describeDetection(detector: Pick<Detector, 'coverage'>, registry: Registry): string[] {
  return detector.coverage().flatMap((c) => {
    const farm = registry.farms.get(c.farmId);
    return farm === undefined ? [] : describeCoverage(c, farmThresholds(farm));
  });
}
