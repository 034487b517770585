/**
 * Cast of the alert policy tests: a small farm in Asia/Karachi (UTC+5, no daylight saving) with
 * Ravi (herdsman, quiet 21:00-05:30), Ana (owner) and Dr Singh (vet: fever and illness only),
 * a second farm for authorization, a hand-moved clock, and a condition builder.
 */
import type { Notification } from '../../../src/alerts/notification.js';
import { createAlertPolicy } from '../../../src/alerts/policy.js';
import { ManualClock } from '../../../src/clock.js';
import { buildRegistry, type Registry } from '../../../src/config/registry.js';
import { daemonConfigSchema, farmFileSchema } from '../../../src/config/schema.js';
import type { Condition } from '../../../src/detect/condition.js';

/** 2026-11-25 09:00 UTC = 14:00 on the farm. */
export const T0 = Date.parse('2026-11-25T09:00:00Z');
export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;

export const PHONES = {
  ravi: '+923001234567',
  ana: '+5511987654321',
  singh: '+919812345678',
  other: '+33612345678',
};

export function farmFile(policy: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return farmFileSchema.parse({
    version: 1,
    farm: { id: 'demo', name: 'Demo Dairy', timezone: 'Asia/Karachi' },
    cows: [
      { id: 'daisy', name: 'Daisy', tag: '214', group: 'milking', collar: 'C-1' },
      { id: 'bella', name: 'Bella', tag: '215', group: 'milking', collar: 'C-2' },
      { id: 'gauri', name: 'Gauri', tag: '217', group: 'dry', collar: 'C-3' },
      { id: 'noor', name: 'Noor', tag: '220', group: 'dry', collar: 'C-4' },
      { id: 'rosie', name: 'Rosie', tag: '219', group: 'milking', collar: 'C-5' },
      { id: 'clover', name: 'Clover', tag: '225', group: 'milking', collar: 'C-6' },
      { id: 'mimosa', name: 'Mimosa', tag: '218', group: 'milking', collar: 'C-7' },
    ],
    contacts: [
      {
        id: 'ravi',
        name: 'Ravi',
        phone: PHONES.ravi,
        role: 'herdsman',
        optedIn: true,
        quietHours: { start: '21:00', end: '05:30' },
      },
      { id: 'ana', name: 'Ana', phone: PHONES.ana, role: 'owner', optedIn: true },
      {
        id: 'dr-singh',
        name: 'Dr Singh',
        phone: PHONES.singh,
        role: 'vet',
        optedIn: true,
        kinds: ['fever', 'illness'],
      },
    ],
    policy,
    ...extra,
  });
}

export function registryOf(...farms: ReturnType<typeof farmFile>[]): Registry {
  return buildRegistry(
    {
      daemon: daemonConfigSchema.parse({ version: 1 }),
      farms: farms.map((farm) => ({ file: `farms/${farm.farm.id}.yaml`, farm })),
      hash: 'test',
      dir: '/nonexistent',
    },
    {},
  );
}

/** The demo farm plus "other" farm whose contact (Pierre) must not touch demo's alerts. */
export function testRegistry(policy: Record<string, unknown> = {}): Registry {
  const other = farmFileSchema.parse({
    version: 1,
    farm: { id: 'other', name: 'Other Farm', timezone: 'Europe/Paris' },
    cows: [{ id: 'marguerite', name: 'Marguerite', tag: '9', collar: 'C-9' }],
    contacts: [
      { id: 'pierre', name: 'Pierre', phone: PHONES.other, language: 'fr', role: 'owner', optedIn: true },
    ],
  });
  return registryOf(farmFile(policy), other);
}

export function cond(
  cowId: string | null,
  kind: Condition['kind'],
  severity: Condition['severity'],
  ts: number,
  extra: Partial<Condition> = {},
): Condition {
  return {
    change: 'raised',
    farmId: 'demo',
    cowId,
    collarId: cowId === null ? null : `C-${cowId}`,
    kind,
    severity,
    onsetTs: ts - 30 * MIN,
    raisedTs: ts,
    ts,
    summary: `${cowId ?? 'herd'}: ${kind}`,
    evidence: kind === 'fever' ? { metric: 'temperatureC', value: 40.1, baseline: 38.6 } : {},
    ...extra,
  };
}

export function cleared(c: Condition, ts: number): Condition {
  return { ...c, change: 'cleared', ts };
}

/**
 * A policy on a hand-moved clock: `runFor(ms)` ticks it every `tickMs` up to `ms` later and returns
 * what went out meanwhile.
 */
export function policyOnClock(options: { start?: number; registry?: Registry; tickMs?: number } = {}) {
  const clock = new ManualClock(options.start ?? T0);
  const policy = createAlertPolicy({ registry: options.registry ?? testRegistry() });
  const tickMs = options.tickMs ?? 5 * SEC;
  const runFor = (ms: number): Notification[] => {
    const out: Notification[] = [];
    const end = clock.now() + ms;
    while (clock.now() < end) {
      clock.advanceBy(tickMs);
      out.push(...policy.tick(clock.now()).notifications);
    }
    return out;
  };
  return { clock, policy, runFor };
}
