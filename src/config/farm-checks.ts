/**
 * Checks across the fields of one farm file that a field's own schema cannot make: names that must
 * point at something defined elsewhere in the file (contacts, groups, roles), thresholds that only
 * make sense in order (a fever must clear below the temperature that raises it), and quiet hours
 * that are a real span. Each problem is reported once, at the key a technician has to change.
 */
import { ROLES } from './policy-schema.js';
import type { FarmFile } from './schema.js';
import { type ThresholdOverrides, thresholdsSchema } from './thresholds-schema.js';

export type Report = (path: (string | number)[], message: string) => void;

export function checkFarm(farm: FarmFile, report: Report): void {
  checkReferences(farm, report);
  checkQuietHours(farm, report);
  checkThresholdOrder(farm, report);
  checkPolicyOrder(farm, report);
}

const list = (names: Iterable<string>) => [...names].join(', ') || 'none';

function checkReferences(farm: FarmFile, report: Report): void {
  const contactIds = farm.contacts.map((c) => c.id);
  const declaredGroups = Object.keys(farm.groups);
  const groups = new Set([...declaredGroups, ...farm.cows.flatMap((c) => (c.group ? [c.group] : []))]);
  const contactRef = (id: string, path: (string | number)[], what: string) => {
    if (contactIds.includes(id)) return;
    report(
      path,
      `${what} names contact "${id}", which is not a contact of this farm (${list(contactIds)}); fix the spelling or add the contact under contacts:`,
    );
  };
  const groupRef = (group: string, path: (string | number)[]) => {
    if (groups.has(group)) return;
    report(
      path,
      `group "${group}" is not a group of this farm (${list(groups)}); fix the spelling, or declare it under groups: (e.g. groups: { ${group}: {} })`,
    );
  };

  farm.cows.forEach((cow, i) => {
    if (cow.group !== undefined && declaredGroups.length > 0 && !declaredGroups.includes(cow.group)) {
      report(
        ['cows', i, 'group'],
        `group "${cow.group}" is not defined under groups: (${list(declaredGroups)}); fix the spelling or add it there`,
      );
    }
  });
  farm.policy.escalationChain.forEach((name, i) => {
    if (contactIds.includes(name) || (ROLES as readonly string[]).includes(name)) return;
    report(
      ['policy', 'escalationChain', i],
      `escalation chain names "${name}", which is neither a contact id (${list(contactIds)}) nor a role (${ROLES.join(', ')}); fix the spelling or add the contact`,
    );
  });
  farm.policy.routes.forEach((route, r) => {
    route.contacts?.forEach((id, i) => {
      contactRef(id, ['policy', 'routes', r, 'contacts', i], `routes[${r}]`);
    });
    route.groups?.forEach((group, i) => {
      groupRef(group, ['policy', 'routes', r, 'groups', i]);
    });
  });
  farm.policy.severityOverrides.forEach((override, o) => {
    override.groups?.forEach((group, i) => {
      groupRef(group, ['policy', 'severityOverrides', o, 'groups', i]);
    });
  });
}

function checkQuietHours(farm: FarmFile, report: Report): void {
  farm.contacts.forEach((contact, i) => {
    const quiet = contact.quietHours;
    if (quiet === undefined || quiet.start !== quiet.end) return;
    report(
      ['contacts', i, 'quietHours', 'end'],
      `quiet hours start and end are both ${quiet.start}, which is no span of time; set end to when quiet hours stop (e.g. start: "22:00", end: "06:00"), or remove quietHours`,
    );
  });
}

/** Two thresholds of one rule that must stay in order; `low` below `high` (or equal, when allowed). */
interface OrderedPair {
  low: [string, string];
  high: [string, string];
  orEqual?: true;
  why: string;
}

const THRESHOLD_PAIRS: OrderedPair[] = [
  {
    low: ['fever', 'clearBelowC'],
    high: ['fever', 'temperatureC'],
    why: 'a fever would clear while the temperature still counts as one',
  },
  {
    low: ['fever', 'temperatureC'],
    high: ['fever', 'criticalC'],
    orEqual: true,
    why: 'a critical fever is a fever first',
  },
  {
    low: ['fever', 'criticalC'],
    high: ['sensorFault', 'maxTemperatureC'],
    why: 'a temperature over maxTemperatureC is taken for a faulty sensor, so no fever would ever be critical',
  },
  {
    low: ['sensorFault', 'minTemperatureC'],
    high: ['sensorFault', 'maxTemperatureC'],
    why: 'every temperature would be impossible',
  },
  {
    low: ['batteryLow', 'below'],
    high: ['batteryLow', 'clearAbove'],
    why: 'the warning would clear while the battery is still low',
  },
  {
    low: ['heat', 'clearRatio'],
    high: ['heat', 'activityRatio'],
    why: 'heat would end while activity still counts as heat',
  },
  {
    low: ['illness', 'clearDropPct'],
    high: ['illness', 'ruminationDropPct'],
    why: 'the alert would clear while the drop still counts',
  },
  {
    low: ['lameness', 'clearDropPct'],
    high: ['lameness', 'activityDropPct'],
    why: 'the alert would clear while the drop still counts',
  },
];

const DEFAULTS = thresholdsSchema.parse({}) as unknown as ThresholdOverrides;

type Level = { path: (string | number)[]; label: string; overrides: ThresholdOverrides | undefined };

const valueIn = (t: ThresholdOverrides | undefined, [rule, key]: [string, string]): number | undefined =>
  (t as Record<string, Record<string, number | undefined> | undefined> | undefined)?.[rule]?.[key];

/**
 * Thresholds apply farm -> group -> cow. A pair broken at a level is reported there only when that
 * level sets one of its two keys (otherwise the level above already was), naming where the other
 * value comes from.
 */
function checkThresholdOrder(farm: FarmFile, report: Report): void {
  const farmLevel: Level = { path: ['thresholds'], label: 'the farm', overrides: farm.thresholds };
  const groupLevel = (group: string | undefined): Level | undefined =>
    group === undefined
      ? undefined
      : {
          path: ['groups', group, 'thresholds'],
          label: `group ${group}`,
          overrides: farm.groups[group]?.thresholds,
        };
  const chains: Level[][] = [[farmLevel]];
  for (const group of Object.keys(farm.groups)) chains.push([groupLevel(group) as Level, farmLevel]);
  farm.cows.forEach((cow, i) => {
    if (cow.thresholds === undefined) return;
    const own: Level = { path: ['cows', i, 'thresholds'], label: `cow ${cow.id}`, overrides: cow.thresholds };
    chains.push([own, ...[groupLevel(cow.group)].filter((l): l is Level => l !== undefined), farmLevel]);
  });

  for (const chain of chains) {
    const [level] = chain;
    if (!level) continue;
    for (const pair of THRESHOLD_PAIRS) {
      const setHere = [pair.low, pair.high].filter((key) => valueIn(level.overrides, key) !== undefined);
      const [first] = setHere;
      if (first === undefined) continue;
      const low = effective(chain, pair.low);
      const high = effective(chain, pair.high);
      if (low.value < high.value || (pair.orEqual && low.value === high.value)) continue;
      const name = (key: [string, string], v: { value: number; from: string }) =>
        `${key.join('.')} (${v.value}${v.from === level.label ? '' : `, ${v.from}`})`;
      report(
        [...level.path, ...first],
        `${name(pair.low, low)} must be ${pair.orEqual ? 'at or below' : 'below'} ${name(pair.high, high)}: ${pair.why}; change one of them`,
      );
    }
  }
}

function effective(chain: Level[], key: [string, string]): { value: number; from: string } {
  for (const level of chain) {
    const value = valueIn(level.overrides, key);
    if (value !== undefined) return { value, from: level.label };
  }
  return { value: valueIn(DEFAULTS, key) ?? 0, from: 'the default' };
}

function checkPolicyOrder(farm: FarmFile, report: Report): void {
  const { heat } = farm.policy;
  if (heat.inseminateFromHours >= heat.inseminateToHours) {
    report(
      ['policy', 'heat', 'inseminateToHours'],
      `inseminateToHours (${heat.inseminateToHours}) must be after inseminateFromHours (${heat.inseminateFromHours}): the suggested insemination window would be empty; change one of them`,
    );
  }
}
