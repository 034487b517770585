import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { thresholdOverridesSchema, thresholdsSchema } from '../../../src/config/thresholds-schema.js';
import { mergeOverrides } from '../../../src/detect/thresholds.js';

describe('thresholds config', () => {
  it('the commented thresholds block of config/farms/demo.yaml shows every key with its default', () => {
    const lines = readFileSync(new URL('../../../config/farms/demo.yaml', import.meta.url), 'utf8').split(
      '\n',
    );
    const start = lines.findIndex((l) => l.startsWith('# thresholds:'));
    const block: string[] = [];
    for (let i = start; i >= 0 && i < lines.length && lines[i]?.startsWith('#'); i++)
      block.push((lines[i] ?? '').slice(2));
    const shown = parse(block.join('\n')).thresholds;
    expect(shown).toEqual(thresholdsSchema.parse({}));
  });

  it('overrides carry no defaults, so a partial override keeps the other keys of the level above', () => {
    const cow = thresholdOverridesSchema.parse({ fever: { forMinutes: 60 } });
    expect(cow).toEqual({ fever: { forMinutes: 60 } });
    const farm = thresholdOverridesSchema.parse({ fever: { temperatureC: 40 } });
    const merged = thresholdsSchema.parse(mergeOverrides(mergeOverrides({}, farm), cow));
    expect(merged.fever).toMatchObject({ temperatureC: 40, forMinutes: 60, clearBelowC: 39.2 });
  });

  it('rejects misspelt keys and windows longer than the day the detector keeps', () => {
    expect(thresholdOverridesSchema.safeParse({ fever: { temperature: 40 } }).success).toBe(false);
    expect(thresholdOverridesSchema.safeParse({ illness: { windowHours: 48 } }).success).toBe(false);
  });
});
