/**
 * Effective thresholds per cow: defaults, then the farm's overrides, then her group's, then her own,
 * merged key by key (a cow overriding fever.forMinutes keeps her farm's fever.temperatureC).
 */
import type { Farm } from '../config/registry.js';
import type { Cow } from '../config/schema.js';
import { type ThresholdOverrides, type Thresholds, thresholdsSchema } from '../config/thresholds-schema.js';

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep-merges `over` onto `base` (objects key by key, everything else replaced); inputs untouched. */
export function mergeOverrides(base: Plain, over: Plain | undefined): Plain {
  if (over === undefined) return base;
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const prev = out[key];
    out[key] = isPlain(prev) && isPlain(value) ? mergeOverrides(prev, value) : value;
  }
  return out;
}

/** The farm's own thresholds (defaults plus its overrides): what herd-level rules use. */
export function farmThresholds(farm: Farm): Thresholds {
  return thresholdsSchema.parse(mergeOverrides({}, farm.config.thresholds as Plain | undefined));
}

/** Resolves thresholds for every cow of a farm, sharing one object between cows with equal settings. */
export function resolveFarmThresholds(farm: Farm): (cow: Cow) => Thresholds {
  const farmLevel = mergeOverrides({}, farm.config.thresholds as Plain | undefined);
  const byGroup = new Map<string, Thresholds>();
  const forGroup = (group: string | undefined): Thresholds => {
    const key = group ?? '';
    let resolved = byGroup.get(key);
    if (resolved === undefined) {
      const groupOverrides: ThresholdOverrides | undefined =
        group === undefined ? undefined : farm.config.groups[group]?.thresholds;
      resolved = thresholdsSchema.parse(mergeOverrides(farmLevel, groupOverrides as Plain | undefined));
      byGroup.set(key, resolved);
    }
    return resolved;
  };
  return (cow) => {
    if (cow.thresholds === undefined) return forGroup(cow.group);
    const groupLevel = mergeOverrides(
      farmLevel,
      (cow.group === undefined ? undefined : farm.config.groups[cow.group]?.thresholds) as Plain | undefined,
    );
    return thresholdsSchema.parse(mergeOverrides(groupLevel, cow.thresholds as Plain));
  };
}
