/**
 * The `cowbell` command: start the daemon, check the config, replay a recording.
 * Bad arguments print a one-line reason and exit with code 2.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadRegistry } from './config/coordinator.js';
import { formatIssues } from './config/load.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export const HELP = `cowbell: cow collar telemetry to WhatsApp alerts

Usage:
  cowbell start [--config DIR] [--db FILE]     run the daemon (default config: ./config)
  cowbell config check [DIR]                   validate the config without starting
  cowbell replay --config DIR --input FILE [--out FILE] [--truth FILE]
                                               run a recording through the pipeline in event time
  cowbell --help

Options:
  --config DIR   folder with cowbell.yaml and farms/ (or the path of cowbell.yaml itself)
  --db FILE      SQLite database file (default: storage.path of the config)

Environment: LOG_PRETTY=1 for human-readable logs; secrets referenced from the config as
\${NAME} or { env: NAME }.`;

export type Command =
  | { name: 'help' }
  | { name: 'start'; configDir: string; dbPath?: string | undefined }
  | { name: 'config-check'; configDir: string }
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
          options: { config: { type: 'string' } },
          allowPositionals: true,
          strict: true,
        });
        return { name: 'config-check', configDir: configDirOf(positionals[0] ?? values.config ?? 'config') };
      }
      case 'replay': {
        const { values } = parseArgs({
          args: rest,
          options: {
            config: { type: 'string' },
            input: { type: 'string' },
            out: { type: 'string' },
            truth: { type: 'string' },
          },
          strict: true,
        });
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
      default:
        throw new UsageError(`unknown command "${first}"; try: cowbell --help`);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad arguments');
  }
}

/** Accepts the config folder or the path of its cowbell.yaml. */
function configDirOf(path: string): string {
  const full = resolve(path);
  if (!existsSync(full)) throw new UsageError(`config path ${path} does not exist`);
  return statSync(full).isDirectory() ? full : dirname(full);
}

/** `cowbell config check`: prints every problem with file:line:col, or a one-line summary. */
export function checkConfig(configDir: string, out: (line: string) => void): boolean {
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
  return true;
}
