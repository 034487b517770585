/** The policy settings: `policy: {}` is a working policy, the shipped demo farm shows the defaults. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfigDir } from '../../../src/config/load.js';
import { policySchema } from '../../../src/config/policy-schema.js';

describe('policy settings', () => {
  it('has a default for every key, and the shipped demo farm shows every key', () => {
    const defaults = policySchema.parse({});
    expect(defaults.severities.critical.groupWaitSeconds).toBe(30);
    expect(defaults.rateLimit).toEqual({ perHour: 6, perDay: 20, criticalBypass: true });
    const loaded = loadConfigDir('config');
    expect(loaded.ok).toBe(true);
    const raw = parse(readFileSync('config/farms/demo.yaml', 'utf8')) as { policy: unknown };
    expect(keyPaths(raw.policy)).toEqual(keyPaths(defaults));
  });

  it('rejects a misspelt key instead of ignoring it', () => {
    const result = policySchema.safeParse({ rateLimit: { perHuor: 3 } });
    expect(result.success).toBe(false);
  });

  it('overrides one severity without losing the others’ defaults', () => {
    const p = policySchema.parse({ severities: { warning: { groupWaitSeconds: 60 } } });
    expect(p.severities.warning).toMatchObject({ groupWaitSeconds: 60, maxRepeats: 1 });
    expect(p.severities.critical.escalateAfterMinutes).toBe(10);
  });
});

/** Dotted paths of every object key (arrays are leaves), sorted. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value)
    .flatMap(([k, v]) => keyPaths(v, prefix ? `${prefix}.${k}` : k))
    .sort();
}
