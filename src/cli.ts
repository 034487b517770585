/**
 * The `cowbell` command: start the daemon, check the config, replay a recording, inspect and retry
 * the outbox.
 * Bad arguments print a one-line reason and exit with code 2.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadRegistry } from './config/coordinator.js';
import { formatIssues } from './config/load.js';
import type { Registry } from './config/registry.js';
import { RULE_SENSORS } from './detect/rule-coverage.js';
import type { OutboxCommand } from './outbox-command.js';
import { LISTED_STATES, type ListedState } from './store/outbox-admin-repo.js';
import { savedCoverage } from './store/saved-coverage.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export const HELP = `cowbell: cow collar telemetry to WhatsApp alerts

Usage:
  cowbell start [--config DIR] [--db FILE]     run the daemon (default config: ./config)
  cowbell config check [DIR] [--db FILE]       validate the config without starting; say which
                                               rules run for which collars (from the database)
  cowbell replay --config DIR --input FILE [--out FILE] [--truth FILE]
                                               run a recording through the pipeline in event time
  cowbell outbox list [--status S] [--farm F] [--limit N] [--config DIR] [--db FILE]
                                               messages in the outbox, newest first; S is one of
                                               pending, held, sending, sent, failed, skipped, folded
  cowbell outbox retry ID|--all-failed [--config DIR] [--db FILE]
                                               re-queue a failed (or folded) message; the running
                                               daemon sends it within channels.outbox.pollMs
  cowbell export --farm F [--cow C] --from T --to T [--out FILE] [--db FILE | --config DIR]
                                               write stored readings as a recording (cowbell export --help)
  cowbell --help

Options:
  --config DIR   folder with cowbell.yaml and farms/ (or the path of cowbell.yaml itself)
  --db FILE      SQLite database file (default: storage.path of the config)

Environment: LOG_PRETTY=1 for human-readable logs; secrets referenced from the config as
\${NAME} or { env: NAME }.`;

export const EXPORT_HELP = `cowbell export: stored readings as a recording, to replay (back-test) on your own herd

Usage:
  cowbell export --farm F [--cow C] --from T --to T [--out FILE] [--db FILE | --config DIR]

Options:
  --farm F       farm id
  --cow C        only this cow (default: every cow of the farm)
  --from T       first reading time, inclusive: RFC 3339 (2026-11-24T06:00:00Z) or a UTC date (2026-11-24)
  --to T         end time, exclusive, same forms
  --out FILE     JSON Lines file to write (default: standard output)
  --db FILE      the daemon's SQLite database (default: storage.path of the config)
  --config DIR   config folder, to find the database (default: ./config)

Readings are kept ingest.retentionDays (config/cowbell.yaml). Then, for example:
  cowbell replay --config DIR --input herd.jsonl`;

export type Command =
  | { name: 'help' }
  | { name: 'export-help' }
  | {
      name: 'export';
      dbPath: string;
      farmId: string;
      cowId?: string | undefined;
      fromMs: number;
      toMs: number;
      out?: string | undefined;
    }
  | { name: 'start'; configDir: string; dbPath?: string | undefined }
  | { name: 'config-check'; configDir: string; dbPath?: string | undefined }
  | OutboxCommand
  | {
      name: 'replay';
      configDir: string;
      input: string;
      out?: string | undefined;
      truth?: string | undefined;
    };

/** Parses argv (without node and script) into a command; throws UsageError with a one-line reason. */
export function parseCommand(argv: string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help')
    return { name: 'help' };
  try {
    switch (first) {
      case 'start': {
        const { values } = parseArgs({
          args: rest,
          options: { config: { type: 'string' }, db: { type: 'string' }, help: { type: 'boolean' } },
          strict: true,
        });
        if (values.help) return { name: 'help' };
        return { name: 'start', configDir: configDirOf(values.config ?? 'config'), dbPath: values.db };
      }
      case 'config': {
        const [sub, ...args] = rest;
        if (sub !== 'check')
          throw new UsageError(`unknown config command "${sub ?? ''}"; try: cowbell config check [DIR]`);
        const { values, positionals } = parseArgs({
          args,
          options: { config: { type: 'string' }, db: { type: 'string' }, help: { type: 'boolean' } },
          allowPositionals: true,
          strict: true,
        });
        if (values.help) return { name: 'help' };
        return {
          name: 'config-check',
          configDir: configDirOf(positionals[0] ?? values.config ?? 'config'),
          dbPath: values.db,
        };
      }
      case 'replay': {
        const { values } = parseArgs({
          args: rest,
          options: {
            config: { type: 'string' },
            input: { type: 'string' },
            out: { type: 'string' },
            truth: { type: 'string' },
            help: { type: 'boolean' },
          },
          strict: true,
        });
        if (values.help) return { name: 'help' };
        if (!values.input) throw new UsageError('replay needs --input FILE (a JSON Lines recording)');
        if (!existsSync(values.input)) throw new UsageError(`input file ${values.input} does not exist`);
        if (values.truth && !existsSync(values.truth))
          throw new UsageError(`truth file ${values.truth} does not exist`);
        return {
          name: 'replay',
          configDir: configDirOf(values.config ?? 'config'),
          input: values.input,
          out: values.out,
          truth: values.truth,
        };
      }
      case 'outbox':
        return parseOutboxCommand(rest);
      case 'export':
        return parseExport(rest);
      default:
        throw new UsageError(`unknown command "${first}"; try: cowbell --help`);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad arguments');
  }
}

function parseOutboxCommand(argv: string[]): OutboxCommand | { name: 'help' } {
  const [sub, ...args] = argv;
  if (sub !== 'list' && sub !== 'retry') {
    throw new UsageError(
      `unknown outbox command "${sub ?? ''}"; try: cowbell outbox list | cowbell outbox retry ID`,
    );
  }
  const { values, positionals } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      db: { type: 'string' },
      status: { type: 'string' },
      farm: { type: 'string' },
      limit: { type: 'string' },
      'all-failed': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    allowPositionals: sub === 'retry',
    strict: true,
  });
  if (values.help) return { name: 'help' };
  // With --db the config is not needed (run from anywhere); without it, storage.path comes from it.
  const common = {
    configDir: values.db && !values.config ? undefined : configDirOf(values.config ?? 'config'),
    dbPath: values.db,
  };
  if (sub === 'list') {
    const status = values.status;
    if (status !== undefined && !LISTED_STATES.includes(status as ListedState)) {
      throw new UsageError(`--status must be one of ${LISTED_STATES.join(', ')}; got "${status}"`);
    }
    const limit = Number(values.limit ?? 100);
    if (!Number.isInteger(limit) || limit < 1) {
      throw new UsageError(`--limit must be a whole number of at least 1; got "${values.limit}"`);
    }
    return {
      name: 'outbox-list',
      ...common,
      status: status as ListedState | undefined,
      farm: values.farm,
      limit,
    };
  }
  const id = positionals[0];
  if (values['all-failed'] === true && id !== undefined) {
    throw new UsageError('outbox retry takes a message id or --all-failed, not both');
  }
  if (values['all-failed'] === true) return { name: 'outbox-retry', ...common, target: { allFailed: true } };
  if (id === undefined || positionals.length > 1) {
    throw new UsageError(
      'outbox retry needs one message id (see: cowbell outbox list --status failed) or --all-failed',
    );
  }
  return { name: 'outbox-retry', ...common, target: { id } };
}

function parseExport(args: string[]): Command {
  const { values } = parseArgs({
    args,
    options: {
      farm: { type: 'string' },
      cow: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
      db: { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return { name: 'export-help' };
  if (!values.farm) throw new UsageError('export needs --farm F (a farm id); see cowbell export --help');
  const fromMs = timeArg('--from', values.from);
  const toMs = timeArg('--to', values.to);
  if (toMs <= fromMs) throw new UsageError(`--to (${values.to}) must be later than --from (${values.from})`);
  const dbPath = values.db ?? databaseOf(values.config ?? 'config');
  if (!existsSync(dbPath)) throw new UsageError(`database ${dbPath} does not exist; give --db FILE`);
  return {
    name: 'export',
    dbPath,
    farmId: values.farm,
    cowId: values.cow,
    fromMs,
    toMs,
    out: values.out,
  };
}

/** RFC 3339 with an offset, or a date (midnight UTC). */
function timeArg(flag: string, value: string | undefined): number {
  if (!value) throw new UsageError(`export needs ${flag} T (e.g. 2026-11-24T06:00:00Z or 2026-11-24)`);
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/i.test(value);
  const ms = ok ? Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value) : Number.NaN;
  if (Number.isNaN(ms))
    throw new UsageError(
      `${flag} ${value} is not a time; use RFC 3339 (2026-11-24T06:00:00Z) or a date (2026-11-24)`,
    );
  return ms;
}

/** The database the config's daemon writes (storage.path), when --db is not given. */
function databaseOf(configPath: string): string {
  const configDir = configDirOf(configPath);
  const loaded = loadRegistry(configDir);
  if (!loaded.ok)
    throw new UsageError(
      `config in ${configDir} is not valid; give --db FILE or fix it (cowbell config check)`,
    );
  return resolve(loaded.registry.daemon.storage.path);
}

/** Accepts the config folder or the path of its cowbell.yaml. */
function configDirOf(path: string): string {
  const full = resolve(path);
  if (!existsSync(full)) throw new UsageError(`config path ${path} does not exist`);
  return statSync(full).isDirectory() ? full : dirname(full);
}

/** `cowbell config check`: prints every problem with file:line:col, or a one-line summary. */
export function checkConfig(
  configDir: string,
  out: (line: string) => void,
  dbPath?: string | undefined,
): boolean {
  const outcome = loadRegistry(configDir);
  if (!outcome.ok) {
    out(
      `config in ${configDir} is not valid (${outcome.issues.length} problem${outcome.issues.length > 1 ? 's' : ''}):`,
    );
    out(formatIssues(outcome.issues));
    return false;
  }
  const farms = [...outcome.registry.farms.values()];
  const cows = farms.reduce((n, f) => n + f.cows.size, 0);
  const contacts = farms.reduce((n, f) => n + f.contacts.length, 0);
  out(`config in ${configDir} is valid: ${farms.length} farm(s), ${cows} cow(s), ${contacts} contact(s)`);
  describeRules(outcome.registry, dbPath, out);
  return true;
}

/** Which rules need which sensors, and what the daemon's database says each farm's collars report. */
function describeRules(registry: Registry, dbPath: string | undefined, out: (line: string) => void): void {
  out('rules and the sensors they need:');
  for (const [rule, needs] of RULE_SENSORS) out(`  ${rule}: ${needs}`);
  const path = dbPath ?? registry.daemon.storage.path;
  const lines = savedCoverage(path, registry);
  if (lines === null) {
    out(`collars: no detector state in ${path} yet; each collar's sensors and cadence show once it reports`);
    return;
  }
  out(`collars, as the daemon last saved them (${path}):`);
  for (const line of lines) out(`  ${line}`);
}
