/** `cowbell config check` as a technician runs it: the report of every problem. */
import { afterEach, describe, expect, it } from 'vitest';
import { checkConfig } from '../../../src/cli.js';
import { GREEN_ACRES_BLOCK_YAML, makeTempConfig, type TempConfig } from '../../support/config-dir.js';

let config: TempConfig | undefined;
afterEach(() => config?.remove());

describe('cowbell config check', () => {
  it('lists every problem with file:line:col and says how many', () => {
    config = makeTempConfig({
      'green-acres.yaml': `${GREEN_ACRES_BLOCK_YAML}policy:\n  escalationChain: [ravi, anna]\n  heat: { inseminateFromHours: 18, inseminateToHours: 12 }\n`,
    });
    const out: string[] = [];
    expect(checkConfig(config.dir, (line) => out.push(line))).toBe(false);
    expect(out.join('\n').split('\n')).toEqual([
      `config in ${config.dir} is not valid (2 problems):`,
      'farms/green-acres.yaml:28:27: policy.escalationChain[1]: escalation chain names "anna", which is neither a contact id (ravi, ana) nor a role (owner, herdsman, vet, other); fix the spelling or add the contact',
      'farms/green-acres.yaml:29:55: policy.heat.inseminateToHours: inseminateToHours (12) must be after inseminateFromHours (18): the suggested insemination window would be empty; change one of them',
    ]);
  });
});
