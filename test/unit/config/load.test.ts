/**
 * What a farm technician sees for each kind of mistake in the YAML files: the file, the line and
 * column, the field path, what was expected and what was found.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../../src/config/coordinator.js';
import { formatIssues, loadConfigDir } from '../../../src/config/load.js';
import { DAEMON_YAML, GREEN_ACRES_YAML, makeTempConfig, type TempConfig } from '../../support/config-dir.js';

let config: TempConfig | undefined;
afterEach(() => config?.remove());

function problemsWith(farmYaml: string): string {
  config = makeTempConfig({ 'green-acres.yaml': farmYaml });
  const result = loadConfigDir(config.dir);
  if (result.ok) throw new Error('expected the config to be refused');
  return formatIssues(result.issues);
}

describe('config validation messages', () => {
  it('loads the shipped example config as valid', () => {
    const result = loadRegistry('config');
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.registry.farms.get('demo')?.cows.size).toBeGreaterThan(0);
  });

  it('reports a YAML syntax error with its line', () => {
    const text = problemsWith(GREEN_ACRES_YAML.replace('  name: Green Acres', '  name: [Green Acres'));
    expect(text).toMatch(/^farms\/green-acres\.yaml:\d+:\d+: YAML syntax: /);
  });

  it('names a misspelt key, where it is', () => {
    const text = problemsWith(
      GREEN_ACRES_YAML.replace('  timezone: Asia/Karachi', '  timezone: Asia/Karachi\n  timzone: UTC'),
    );
    expect(text).toMatch(/^farms\/green-acres\.yaml:6:\d+: farm: unknown key "timzone"/);
  });

  it('says what was expected and what was found for a wrong value', () => {
    const text = problemsWith(GREEN_ACRES_YAML.replace('+923001234567', '03001234567'));
    expect(text).toMatch(
      /farms\/green-acres\.yaml:13:\d+: contacts\[0\]\.phone: expected E\.164.*; found "03001234567"/,
    );
  });

  it('reports a missing required field at its parent', () => {
    const text = problemsWith(GREEN_ACRES_YAML.replace('  name: Green Acres\n', ''));
    expect(text).toContain('farms/green-acres.yaml:3:3: farm.name: required field is missing');
  });

  it('rejects an unknown time zone', () => {
    const text = problemsWith(GREEN_ACRES_YAML.replace('Asia/Karachi', 'Asia/Lahore'));
    expect(text).toMatch(/farm\.timezone: expected an IANA time zone.*found "Asia\/Lahore"/);
  });

  it('rejects one collar on two cows, pointing at the second cow', () => {
    const text = problemsWith(GREEN_ACRES_YAML.replace('collar: C-0043', 'collar: C-0042'));
    expect(text).toMatch(
      /farms\/green-acres\.yaml:11:\d+: cows\[1\]\.collar: collar "C-0042" is already used by cows\[0\]/,
    );
  });

  it('rejects the same farm id in two files', () => {
    config = makeTempConfig({ 'a.yaml': GREEN_ACRES_YAML, 'b.yaml': GREEN_ACRES_YAML });
    const result = loadConfigDir(config.dir);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(formatIssues(result.issues)).toContain(
        'farms/b.yaml:3:7: farm.id: farm id "green-acres" is also used in farms/a.yaml',
      );
  });

  it('lists every problem of every file, not only the first', () => {
    const text = problemsWith(
      GREEN_ACRES_YAML.replace('Asia/Karachi', 'Mars/Base').replace('tag: "214"', 'tag: ""'),
    );
    expect(text.split('\n')).toHaveLength(2);
  });

  it('refuses a secret that points at an unset environment variable, naming it', () => {
    config = makeTempConfig({
      'green-acres.yaml': GREEN_ACRES_YAML.replace(
        'password: green-secret',
        'password: { env: COWBELL_TEST_UNSET_VAR }',
      ),
    });
    const result = loadRegistry(config.dir, {});
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(formatIssues(result.issues)).toContain('environment variable COWBELL_TEST_UNSET_VAR is not set');
  });

  it('reports a missing cowbell.yaml clearly', () => {
    config = makeTempConfig();
    config.write('cowbell.yaml', '');
    const result = loadConfigDir(config.dir);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(formatIssues(result.issues)).toMatch(/cowbell\.yaml:1:1: version: required field is missing/);
  });

  it('refuses anonymous collars on a broker reachable from the network', () => {
    config = makeTempConfig(
      undefined,
      DAEMON_YAML.replace('host: 127.0.0.1', 'host: 0.0.0.0').replace(
        'allowAnonymous: false',
        'allowAnonymous: true',
      ),
    );
    const result = loadConfigDir(config.dir);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(formatIssues(result.issues)).toMatch(
        /cowbell\.yaml:\d+:\d+: broker\.embedded\.allowAnonymous: anonymous access is only allowed on a loopback host, but host is 0\.0\.0\.0/,
      );
    }
  });

  it('refuses one collar login name on two farms', () => {
    const other = GREEN_ACRES_YAML.replace('id: green-acres', 'id: other-farm').replace(
      'username: green-acres',
      'username: other-farm',
    );
    config = makeTempConfig({ 'green-acres.yaml': GREEN_ACRES_YAML, 'other.yaml': other });
    const result = loadConfigDir(config.dir);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(formatIssues(result.issues)).toContain(
        'farms/other.yaml:11:51: cows[1].collar: MQTT user name "C-0043" is also used in farms/green-acres.yaml',
      );
    }
  });
});
