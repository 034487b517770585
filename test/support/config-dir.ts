/**
 * Temp config folders for tests: a cowbell.yaml and farm files written as YAML text, so tests
 * exercise the same loader (and its line numbers) a technician's files go through.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DAEMON_YAML = `version: 1
broker:
  embedded:
    host: 127.0.0.1
    port: 0
    allowAnonymous: false
http:
  host: 127.0.0.1
  port: 0
logging:
  level: ${process.env.TEST_LOG_LEVEL ?? 'silent'}
`;

/** Two farms with farm-wide collar passwords; green-acres also has a per-collar password. */
export const GREEN_ACRES_YAML = `version: 1
farm:
  id: green-acres
  name: Green Acres
  timezone: Asia/Karachi
mqtt:
  username: green-acres
  password: green-secret
cows:
  - { id: daisy, name: Daisy, tag: "214", collar: C-0042 }
  - { id: bella, name: Bella, tag: "215", collar: C-0043, collarPassword: bella-secret }
contacts:
  - { id: ravi, name: Ravi, phone: "+923001234567", language: ur, optedIn: true }
`;

/** Green Acres in block style, one key a line, for tests that point at lines and columns. */
export const GREEN_ACRES_BLOCK_YAML = `${GREEN_ACRES_YAML.slice(0, GREEN_ACRES_YAML.indexOf('cows:'))}cows:
  - id: daisy
    name: Daisy
    tag: "214"
    group: milking
    collar: C-0042
  - id: bella
    name: Bella
    tag: "215"
contacts:
  - id: ravi
    name: Ravi
    phone: "+923001234567"
    role: herdsman
  - id: ana
    name: Ana
    phone: "+923001234568"
    role: owner
`;

export const HILLSIDE_YAML = `version: 1
farm:
  id: hillside
  name: Hillside
  timezone: Europe/Paris
mqtt:
  password: hill-secret
cows:
  - { id: margot, name: Margot, tag: "7", collar: H-1 }
`;

export interface TempConfig {
  dir: string;
  dbPath: string;
  write(relativePath: string, text: string): void;
  remove(): void;
}

/** Creates a temp folder with config/ (daemon + farm files) and a database path beside it. */
export function makeTempConfig(
  farms: Record<string, string> = { 'green-acres.yaml': GREEN_ACRES_YAML, 'hillside.yaml': HILLSIDE_YAML },
  daemon = DAEMON_YAML,
): TempConfig {
  const root = mkdtempSync(join(tmpdir(), 'cowbell-test-'));
  const dir = join(root, 'config');
  mkdirSync(join(dir, 'farms'), { recursive: true });
  writeFileSync(join(dir, 'cowbell.yaml'), daemon);
  for (const [name, text] of Object.entries(farms)) writeFileSync(join(dir, 'farms', name), text);
  return {
    dir,
    dbPath: join(root, 'data', 'cowbell.db'),
    write: (relativePath, text) => writeFileSync(join(dir, relativePath), text),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
