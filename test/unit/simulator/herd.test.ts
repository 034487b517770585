import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateFarmFile } from '../../../simulator/farm-file.js';
import { fixed1, fixed2, fixed3, fixed6 } from '../../../simulator/format.js';
import { buildHerd, findFarms, HerdError, loadHerd } from '../../../simulator/index.js';
import { farmFileSchema } from '../../../src/config/schema.js';

describe('the simulated herd', () => {
  it('reads cows, collars, pasture and credentials from the shipped demo farm', () => {
    const herd = loadHerd({ configDir: 'config', farm: 'demo' });
    expect(herd.collars).toHaveLength(12);
    expect(herd.collars[0]).toMatchObject({
      farmId: 'demo',
      cowId: 'daisy',
      collarId: 'C-0001',
      generated: false,
    });
    expect(herd.collars[0]?.credential.username).toBe('demo');
    expect(herd.farms[0]?.pasture).toHaveLength(4);
  });

  it('generates extra cows deterministically when --cows exceeds the farm file, and trims when smaller', () => {
    const big = loadHerd({ configDir: 'config', farm: 'demo', cows: 15 });
    expect(big.collars.slice(12).map((c) => [c.cowId, c.collarId, c.generated])).toEqual([
      ['sim-cow-0001', 'SIM-0001', true],
      ['sim-cow-0002', 'SIM-0002', true],
      ['sim-cow-0003', 'SIM-0003', true],
    ]);
    expect(loadHerd({ configDir: 'config', farm: 'demo', cows: 3 }).collars.map((c) => c.cowId)).toEqual([
      'daisy',
      'bella',
      'lakshmi',
    ]);
  });

  it('uses a per-cow collar password with the collar id as user name', () => {
    const [demo] = findFarms('config', 'demo');
    if (!demo) throw new Error('demo farm missing');
    const farm = structuredClone(demo.farm);
    farm.cows[0] = {
      ...farm.cows[0],
      id: 'daisy',
      name: 'Daisy',
      collar: 'C-0001',
      collarPassword: 's3cret',
    };
    const herd = buildHerd([{ farm, file: demo.file }]);
    expect(herd.collars[0]?.credential).toMatchObject({ username: 'C-0001', password: 's3cret' });
    expect(herd.collars[1]?.credential.username).toBe('demo');
  });

  it('names the farm ids it knows when asked for one it does not', () => {
    expect(() => loadHerd({ configDir: 'config', farm: 'nope' })).toThrow(HerdError);
    expect(() => loadHerd({ configDir: 'config', farm: 'nope' })).toThrow(/farms there: demo/);
  });

  it('generates a farm file for N cows that passes the farm schema', () => {
    const text = generateFarmFile({ cows: 250, farmId: 'big', seed: 4 });
    const farm = farmFileSchema.parse(parse(text));
    expect(farm.farm.id).toBe('big');
    expect(farm.cows).toHaveLength(250);
    expect(new Set(farm.cows.map((c) => c.collar)).size).toBe(250);
    expect(generateFarmFile({ cows: 250, farmId: 'big', seed: 4 })).toBe(text);
  });

  it('formats fixed-point numbers as valid JSON with the protocol precision', () => {
    expect([fixed1(2.46), fixed1(0), fixed1(4.96)]).toEqual(['2.5', '0.0', '5.0']);
    expect([fixed2(38.705), fixed2(39), fixed2(-0.5)]).toEqual(['38.71', '39.00', '-0.50']);
    expect(fixed3(0.8744)).toBe('0.874');
    expect([fixed6(31.5235114), fixed6(74.9999999), fixed6(-12.5)]).toEqual([
      '31.523511',
      '75.000000',
      '-12.500000',
    ]);
    for (const s of [fixed2(38.705), fixed6(31.5)]) expect(Number.isFinite(JSON.parse(s))).toBe(true);
  });
});
