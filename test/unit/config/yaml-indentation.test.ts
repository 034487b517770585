/**
 * One indentation slip in a farm file gives one message, on the line that slipped, instead of the
 * YAML parser's cascade of follow-on errors pointing at the lines around it.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { formatIssues, loadConfigDir } from '../../../src/config/load.js';
import { findIndentationSlip } from '../../../src/config/yaml-errors.js';
import { GREEN_ACRES_BLOCK_YAML, makeTempConfig, type TempConfig } from '../../support/config-dir.js';

let config: TempConfig | undefined;
afterEach(() => config?.remove());

const FARM = GREEN_ACRES_BLOCK_YAML;

function problems(farm: string): string[] {
  config = makeTempConfig({ 'green-acres.yaml': farm });
  const result = loadConfigDir(config.dir);
  return result.ok ? [] : formatIssues(result.issues).split('\n');
}

describe('YAML indentation slips', () => {
  it('accepts the file as written', () => {
    expect(problems(FARM)).toEqual([]);
  });

  it('reports an over-indented key on its own line, not on the comment line above it', () => {
    const farm = FARM.replace(
      '  timezone: Asia/Karachi\n',
      '  timezone: Asia/Karachi\n  # the pasture corners\n    pasture: [[1, 2], [1, 3], [2, 3]]\n',
    );
    expect(problems(farm)).toEqual([
      'farms/green-acres.yaml:7:5: YAML indentation: "pasture:" is indented 4 spaces, deeper than the line above (line 5, "timezone:"), which does not open a block; line it up with the keys around it (2 spaces)',
    ]);
  });

  it('blames the over-indented key, not the line above it the parser points at', () => {
    expect(problems(FARM.replace('  name: Green Acres', '    name: Green Acres'))).toEqual([
      'farms/green-acres.yaml:4:5: YAML indentation: "name:" is indented 4 spaces, deeper than the line above (line 3, "id:"), which does not open a block; line it up with the keys around it (2 spaces)',
    ]);
  });

  it('gives one error for a key slipped out of its list entry (the parser gives seven)', () => {
    expect(problems(FARM.replace('    name: Daisy', '  name: Daisy'))).toEqual([
      'farms/green-acres.yaml:11:3: YAML indentation: "name:" is indented 2 spaces, which lines up with no block above: keys here are indented 0 or 4 spaces',
    ]);
  });

  it('gives one error for a list entry slipped to the left', () => {
    expect(problems(FARM.replace('  - id: bella', '- id: bella'))).toEqual([
      'farms/green-acres.yaml:15:1: YAML indentation: "- id:" is indented 0 spaces, which lines up with no block above: "- " entries here are indented 2 spaces',
    ]);
  });

  it('blames the first key of a block indented by an odd step, not the next key the parser points at', () => {
    expect(problems(FARM.replace('mqtt:\n  username', 'mqtt:\n   username'))).toEqual([
      'farms/green-acres.yaml:7:4: YAML indentation: "username:" is indented 3 spaces, the next key of its block (line 8, "password:") 2; this file indents by 2, so make it 2',
    ]);
  });

  it('says so when a tab indents a line', () => {
    expect(problems(FARM.replace('  timezone: Asia/Karachi', '\ttimezone: Asia/Karachi'))).toEqual([
      'farms/green-acres.yaml:5:1: YAML indentation: a tab is used to indent this line; YAML allows only spaces',
    ]);
  });

  it('reports other syntax errors once, with the parser’s words', () => {
    expect(problems(FARM.replace('  name: Green Acres', '  name: "Green Acres'))).toHaveLength(1);
  });

  it('finds no slip in the shipped, commented config files (no false alarm on well-formed YAML)', () => {
    for (const file of ['config/cowbell.yaml', 'config/farms/demo.yaml']) {
      expect(findIndentationSlip(readFileSync(file, 'utf8'))).toBeUndefined();
    }
  });
});
