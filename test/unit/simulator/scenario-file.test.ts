import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultScenario, loadHerd, readScenarioFile, simulateHerd } from '../../../simulator/index.js';
import { PlanError } from '../../../simulator/plan.js';
import { ScenarioError } from '../../../simulator/scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'cowbell-scenario-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scenario files', () => {
  it('ships an example whose settings are the defaults, plus events at set times', () => {
    const example = readScenarioFile('simulator/scenarios/example.yaml');
    const { events, ...settings } = example;
    const { events: _none, ...defaults } = defaultScenario();
    expect(settings).toEqual(defaults);
    expect(events.map((e) => e.kind)).toEqual([
      'fever',
      'heat',
      'collar-offline',
      'herd-heat-stress',
      'quiet',
    ]);
  });

  it('names the file and the field when a scenario is wrong', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'rates:\n  heat: 2\nspeling: 1\n');
    expect(() => readScenarioFile(file)).toThrow(ScenarioError);
    expect(() => readScenarioFile(file)).toThrow(/bad\.yaml.*rates\.heat/);
  });

  it('refuses an event for a cow the herd does not have', () => {
    const file = join(dir, 'ghost.yaml');
    writeFileSync(file, 'events:\n  - { kind: fever, cow: ghost }\n');
    const herd = loadHerd({ configDir: 'config', farm: 'demo' });
    expect(() => simulateHerd({ herd, scenario: file })).toThrow(PlanError);
  });
});
