/**
 * The config check catches what each field alone cannot: names that point at nothing, thresholds
 * out of order, empty quiet hours, "38,5" for 38.5, an unset secret variable; each at the file,
 * line and column of the key to change, in the words the technician reads.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../../src/config/coordinator.js';
import { formatIssues } from '../../../src/config/load.js';
import {
  DAEMON_YAML,
  GREEN_ACRES_BLOCK_YAML,
  makeTempConfig,
  type TempConfig,
} from '../../support/config-dir.js';

let config: TempConfig | undefined;
afterEach(() => config?.remove());

const FARM = GREEN_ACRES_BLOCK_YAML;

/** Every problem `config check` prints for the farm file (and daemon file), one per line. */
function problems(farm: string, daemon = DAEMON_YAML, env: NodeJS.ProcessEnv = {}): string[] {
  config = makeTempConfig({ 'green-acres.yaml': farm }, daemon);
  const result = loadRegistry(config.dir, env);
  if (result.ok) return [];
  return formatIssues(result.issues).split('\n');
}

describe('config check: cross-references', () => {
  it('accepts the base farm file', () => {
    expect(problems(FARM)).toEqual([]);
  });

  it('refuses an escalation chain naming no contact and no role', () => {
    expect(problems(`${FARM}policy:\n  escalationChain: [ravi, anna, owner]\n`)).toEqual([
      'farms/green-acres.yaml:28:27: policy.escalationChain[1]: escalation chain names "anna", which is neither a contact id (ravi, ana) nor a role (owner, herdsman, vet, other); fix the spelling or add the contact',
    ]);
  });

  it('refuses a route naming an unknown contact or group', () => {
    const farm = `${FARM}policy:\n  routes:\n    - severities: [critical]\n      contacts: [ravi, vet]\n    - groups: [milkng]\n`;
    expect(problems(farm)).toEqual([
      'farms/green-acres.yaml:30:24: policy.routes[0].contacts[1]: routes[0] names contact "vet", which is not a contact of this farm (ravi, ana); fix the spelling or add the contact under contacts:',
      'farms/green-acres.yaml:31:16: policy.routes[1].groups[0]: group "milkng" is not a group of this farm (milking); fix the spelling, or declare it under groups: (e.g. groups: { milkng: {} })',
    ]);
  });

  it('accepts a route to a group no cow is in yet once it is declared under groups', () => {
    const farm = `${FARM}groups:\n  milking: {}\n  dry: {}\npolicy:\n  routes:\n    - groups: [dry]\n`;
    expect(problems(farm)).toEqual([]);
  });

  it('refuses a severity override for an unknown group', () => {
    const farm = `${FARM}policy:\n  severityOverrides:\n    - { kinds: [fever], groups: [heifers], severity: critical }\n`;
    expect(problems(farm)).toEqual([
      'farms/green-acres.yaml:29:34: policy.severityOverrides[0].groups[0]: group "heifers" is not a group of this farm (milking); fix the spelling, or declare it under groups: (e.g. groups: { heifers: {} })',
    ]);
  });

  it('refuses an observer login for a farm no file defines', () => {
    const daemon = `${DAEMON_YAML.replace('    allowAnonymous: false\n', '    allowAnonymous: false\n    observers:\n      - { username: dash, password: dash-secret, farms: [green-acre] }\n')}`;
    expect(problems(FARM, daemon)).toEqual([
      'cowbell.yaml:8:58: broker.embedded.observers[0].farms[0]: observer "dash" may read farm "green-acre", which no farm file defines (green-acres); fix the spelling or use "*"',
    ]);
  });
});

describe('config check: values that only make sense together', () => {
  it('refuses a fever that clears above the temperature that raises it', () => {
    const farm = `${FARM}thresholds:\n  fever:\n    temperatureC: 39.5\n    clearBelowC: 39.8\n`;
    expect(problems(farm)).toEqual([
      'farms/green-acres.yaml:30:18: thresholds.fever.clearBelowC: fever.clearBelowC (39.8) must be below fever.temperatureC (39.5): a fever would clear while the temperature still counts as one; change one of them',
    ]);
  });

  it('names where the other value comes from when a cow breaks the order', () => {
    const farm = FARM.replace(
      '    collar: C-0042\n',
      '    collar: C-0042\n    thresholds: { fever: { temperatureC: 39.0 } }\n',
    );
    expect(problems(farm)).toEqual([
      'farms/green-acres.yaml:15:42: cows[0].thresholds.fever.temperatureC: fever.clearBelowC (39.2, the default) must be below fever.temperatureC (39): a fever would clear while the temperature still counts as one; change one of them',
    ]);
  });

  it('refuses a critical fever below the fever threshold, and battery and heat pairs out of order', () => {
    const farm = `${FARM}groups:\n  milking:\n    thresholds:\n      fever: { criticalC: 39.4 }\n      batteryLow: { below: 0.3, clearAbove: 0.2 }\n      heat: { clearRatio: 2 }\n`;
    expect(problems(farm)).toEqual([
      'farms/green-acres.yaml:30:27: groups.milking.thresholds.fever.criticalC: fever.temperatureC (39.5, the default) must be at or below fever.criticalC (39.4): a critical fever is a fever first; change one of them',
      'farms/green-acres.yaml:31:28: groups.milking.thresholds.batteryLow.below: batteryLow.below (0.3) must be below batteryLow.clearAbove (0.2): the warning would clear while the battery is still low; change one of them',
      'farms/green-acres.yaml:32:27: groups.milking.thresholds.heat.clearRatio: heat.clearRatio (2) must be below heat.activityRatio (1.8, the default): heat would end while activity still counts as heat; change one of them',
    ]);
  });

  it('refuses quiet hours that start and end at the same time', () => {
    const farm = FARM.replace(
      '    role: owner\n',
      '    role: owner\n    quietHours: { start: "22:00", end: "22:00" }\n',
    );
    expect(problems(farm)).toEqual([
      'farms/green-acres.yaml:27:40: contacts[1].quietHours.end: quiet hours start and end are both 22:00, which is no span of time; set end to when quiet hours stop (e.g. start: "22:00", end: "06:00"), or remove quietHours',
    ]);
  });

  it('refuses an insemination window that ends before it starts', () => {
    const farm = `${FARM}policy:\n  heat: { inseminateFromHours: 18, inseminateToHours: 12 }\n`;
    expect(problems(farm)).toEqual([
      'farms/green-acres.yaml:28:55: policy.heat.inseminateToHours: inseminateToHours (12) must be after inseminateFromHours (18): the suggested insemination window would be empty; change one of them',
    ]);
  });
});

describe('config check: hints', () => {
  it('says "use a dot" for a decimal comma', () => {
    const farm = `${FARM}thresholds:\n  fever:\n    temperatureC: 38,5\n`;
    expect(problems(farm)).toEqual([
      'farms/green-acres.yaml:29:19: thresholds.fever.temperatureC: Invalid input: expected number, received string; found "38,5": use a dot: 38.5',
    ]);
  });

  it('reports an unset secret variable at the key that names it', () => {
    const farm = FARM.replace('password: green-secret', 'password: { env: GREEN_ACRES_PASSWORD }');
    expect(problems(farm)).toEqual([
      'farms/green-acres.yaml:8:13: mqtt.password: environment variable GREEN_ACRES_PASSWORD is not set; export it or use { file: path }',
    ]);
    expect(problems(farm, DAEMON_YAML, { GREEN_ACRES_PASSWORD: 's3cret' })).toEqual([]);
  });

  it('reports an unset channel secret in cowbell.yaml too, before a restart trips over it', () => {
    const daemon = `${DAEMON_YAML}channels:\n  webhook:\n    url: https://example.net/hook\n    secret: \${HOOK_SECRET}\n`;
    expect(problems(FARM, daemon)).toEqual([
      'cowbell.yaml:15:13: channels.webhook.secret: environment variable HOOK_SECRET is not set; export it or use { file: path }',
    ]);
  });

  it('reports a file cowbell.yaml names that does not exist, before a start would fail on it', () => {
    const daemon = `${DAEMON_YAML}channels:
  whatsapp:
    phoneNumberId: "106540352242922"
    accessToken: token
    appSecret: app-secret
    verifyToken: verify
    templatesFile: config/whatsapp-templatez.json
`;
    expect(problems(FARM, daemon)).toEqual([
      `cowbell.yaml:18:20: channels.whatsapp.templatesFile: file config/whatsapp-templatez.json does not exist (looked in ${process.cwd()}/config/whatsapp-templatez.json; relative paths start at the working directory)`,
    ]);
  });

  it('refuses a secret YAML reads as a number, without repeating it', () => {
    const farm = FARM.replace('password: green-secret', 'password: 0123456');
    const lines = problems(farm);
    expect(lines).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the message shows the literal ${ENV} syntax
      'farms/green-acres.yaml:8:13: mqtt.password: a secret must be text, but YAML reads this one as a number: put it in quotes (password: "...") so it is kept exactly, or use "${ENV_NAME}" (the value is not shown)',
    ]);
    expect(lines.join('\n')).not.toMatch(/123456/);
  });
});
