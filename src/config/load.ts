/**
 * Reads the config directory (cowbell.yaml + farms/*.yaml), validates every file with zod and
 * reports every problem with file, line, column, field path, what was expected and what was found.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type DaemonConfig, daemonConfigSchema, type FarmFile, farmFileSchema } from './schema.js';
import { SECRET_KEYS } from './secrets.js';
import { describeSyntaxErrors } from './yaml-errors.js';

/** One problem in one config file, in the words a technician can act on. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

/** Config files as read and validated, before derived tables are built. */
export interface ConfigFiles {
  daemon: DaemonConfig;
  farms: { file: string; farm: FarmFile }[];
  /** Hash of every file's bytes, to skip reloads that change nothing. */
  hash: string;
  dir: string;
  /** Where a field of a file stands, for problems found after validation (a secret not set). */
  locate?(file: string, path: (string | number)[]): { line: number; column: number };
}

export type LoadResult = { ok: true; files: ConfigFiles } | { ok: false; issues: ConfigIssue[] };

export const DAEMON_FILE = 'cowbell.yaml';
export const FARMS_DIR = 'farms';

/** Loads and validates the whole config directory; all or nothing. */
export function loadConfigDir(dir: string): LoadResult {
  const issues: ConfigIssue[] = [];
  const hash = createHash('sha256');
  const daemonPath = join(dir, DAEMON_FILE);
  const daemonFile = loadYamlFile(daemonPath, dir, daemonConfigSchema, issues, hash);

  const loaded: Loaded<FarmFile>[] = [];
  for (const path of listFarmFiles(dir, issues)) {
    const farm = loadYamlFile(path, dir, farmFileSchema, issues, hash);
    if (farm) loaded.push(farm);
  }
  checkUniqueAcrossFiles(loaded, farmIdClaims, 'farm id', issues);
  checkUniqueAcrossFiles(loaded, mqttLoginClaims, 'MQTT user name', issues);
  if (issues.length > 0 || !daemonFile) return { ok: false, issues };
  const farms = loaded.map(({ file, value }) => ({ file, farm: value }));
  const positions = new Map([daemonFile, ...loaded].map((f) => [f.file, f.position]));
  const locate = (file: string, path: (string | number)[]) =>
    positions.get(file)?.(path) ?? { line: 0, column: 0 };
  return { ok: true, files: { daemon: daemonFile.value, farms, hash: hash.digest('hex'), dir, locate } };
}

/** Formats issues as the lines `config check` and the logs print. */
export function formatIssues(issues: ConfigIssue[]): string {
  return issues
    .map((i) => `${i.file}:${i.line}:${i.column}: ${i.path ? `${i.path}: ` : ''}${i.message}`)
    .join('\n');
}

/** Thrown by callers that need a config and got an invalid one; carries every issue. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly issues: ConfigIssue[]) {
    super(`configuration is not valid:\n${formatIssues(issues)}`);
  }
}

/** Farm files in farms/, sorted; a folder that cannot be read is reported in `issues`. */
export function listFarmFiles(dir: string, issues: ConfigIssue[]): string[] {
  const farmsDir = join(dir, FARMS_DIR);
  try {
    return readdirSync(farmsDir)
      .filter((name) => /\.ya?ml$/i.test(name) && !name.startsWith('.'))
      .sort()
      .map((name) => join(farmsDir, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    issues.push({
      file: farmsDir,
      line: 0,
      column: 0,
      path: '',
      message: `cannot read directory: ${String(err)}`,
    });
    return [];
  }
}

/** A validated file, with a way to point at any of its fields for messages about it. */
interface Loaded<T> {
  file: string;
  value: T;
  position(path: (string | number)[]): { line: number; column: number };
}

function loadYamlFile<S extends z.ZodType>(
  path: string,
  dir: string,
  schema: S,
  issues: ConfigIssue[],
  hash: ReturnType<typeof createHash>,
): Loaded<z.infer<S>> | undefined {
  const file = relative(dir, path) || basename(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT' ? 'file not found: create it (see the shipped example)' : `cannot read: ${code}`;
    issues.push({ file, line: 0, column: 0, path: '', message });
    return undefined;
  }
  hash.update(file).update('\0').update(text).update('\0');

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // One problem per file: what follows a syntax error is guesswork by the parser.
    issues.push({ file, path: '', ...describeSyntaxErrors(text, doc.errors, lineCounter) });
    return undefined;
  }
  const data: unknown = doc.toJS();
  const result = schema.safeParse(data ?? {});
  if (result.success) {
    return { file, value: result.data, position: (at) => locate(doc, lineCounter, at) };
  }
  for (const issue of result.error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    // An unknown key is best shown where the key itself stands, not at its parent.
    const where = issue.code === 'unrecognized_keys' && issue.keys[0] ? [...path, issue.keys[0]] : path;
    const { line, column } = locate(doc, lineCounter, where);
    issues.push({ file, line, column, path: formatPath(path), message: describeIssue(issue, data, path) });
  }
  return undefined;
}

/** Finds the closest YAML node to a zod issue path (the value, or its nearest existing parent). */
function locate(
  doc: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  path: (string | number)[],
): { line: number; column: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) {
      const pos = lineCounter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown, path: (string | number)[]): string {
  const found = valueAt(data, path);
  if (issue.code === 'unrecognized_keys') {
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (check the spelling; see the shipped example)`;
  }
  if (found.present === false) return `required field is missing (${issue.message})`;
  if (issue.code === 'custom' && issue.params?.namesValue) return issue.message;
  if (path.some((key) => typeof key === 'string' && SECRET_KEYS.has(key))) return issue.message;
  const hint = decimalCommaHint(issue, found.value);
  return `${issue.message}; found ${preview(found.value)}${hint}`;
}

/** "38,5" typed the way much of the world writes decimals: YAML reads it as text. */
function decimalCommaHint(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code !== 'invalid_type' || issue.expected !== 'number' || typeof value !== 'string') return '';
  const match = /^\s*([-+]?\d+),(\d+)\s*$/.exec(value);
  return match ? `: use a dot: ${match[1]}.${match[2]}` : '';
}

function valueAt(data: unknown, path: (string | number)[]): { present: boolean; value?: unknown } {
  let current: unknown = data;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !(key in (current as object)))
      return { present: false };
    current = (current as Record<string | number, unknown>)[key];
  }
  return { present: true, value: current };
}

function preview(value: unknown): string {
  const text = JSON.stringify(value, (key, v) => (SECRET_KEYS.has(key) ? '[not shown]' : v)) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** A value a farm file claims that no other farm file may claim too, and where it stands. */
interface Claim {
  value: string;
  path: (string | number)[];
}

const farmIdClaims = (farm: FarmFile): Claim[] => [{ value: farm.farm.id, path: ['farm', 'id'] }];

/**
 * Collars log in by user name: the farm's (default its id) or a collar id with its own password.
 * One name on two farms would let one farm's credential shadow the other's.
 */
const mqttLoginClaims = (farm: FarmFile): Claim[] => [
  ...(farm.mqtt.password !== undefined
    ? [{ value: farm.mqtt.username ?? farm.farm.id, path: ['mqtt', 'username'] }]
    : []),
  ...farm.cows.flatMap((cow, i) =>
    cow.collar !== undefined && cow.collarPassword !== undefined
      ? [{ value: cow.collar, path: ['cows', i, 'collar'] }]
      : [],
  ),
];

/** Reports a value claimed by two farm files, at the second claim, naming the first file. */
function checkUniqueAcrossFiles(
  files: Loaded<FarmFile>[],
  claimsOf: (farm: FarmFile) => Claim[],
  label: string,
  issues: ConfigIssue[],
): void {
  const owner = new Map<string, string>();
  for (const loaded of files) {
    for (const claim of claimsOf(loaded.value)) {
      const other = owner.get(claim.value);
      if (other === undefined) owner.set(claim.value, loaded.file);
      else if (other !== loaded.file) {
        issues.push({
          file: loaded.file,
          ...loaded.position(claim.path),
          path: formatPath(claim.path),
          message: `${label} "${claim.value}" is also used in ${other}; it must be unique across farms`,
        });
      }
    }
  }
}
