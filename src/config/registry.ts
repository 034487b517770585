/**
 * The herd registry: derived lookup tables built from a validated config, swapped as one
 * immutable snapshot on reload (who wears which collar, who may connect, which farm is whose).
 */
import { type AddProblem, checkDaemonReferences, checkObserverFarms } from './daemon-checks.js';
import { ConfigError, type ConfigFiles, type ConfigIssue, DAEMON_FILE, formatPath } from './load.js';
import type { Contact, Cow, DaemonConfig, FarmFile } from './schema.js';
import { resolveSecret, SecretError, type SecretRef } from './secrets.js';

/** A farm with its herd, as the running daemon sees it. */
export interface Farm {
  id: string;
  name: string;
  timezone: string;
  file: string;
  config: FarmFile;
  cows: ReadonlyMap<string, Cow>;
  contacts: readonly Contact[];
}

/** Who a collar belongs to right now. */
export interface CollarOwner {
  farmId: string;
  cowId: string;
}

/** Credentials collars present to the embedded broker. */
export interface CollarCredential {
  farmId: string;
  /** Only this collar may use it (per-collar password); farm-wide otherwise. */
  collarId?: string;
  password: string;
}

export interface Registry {
  daemon: DaemonConfig;
  farms: ReadonlyMap<string, Farm>;
  /** Config hash the registry was built from. */
  hash: string;
  collarOwner(farmId: string, collarId: string): CollarOwner | undefined;
  /** Credentials by MQTT user name (the farm's user name, or a collar id for per-collar passwords). */
  credential(username: string): CollarCredential | undefined;
  /** Read-only broker clients (dashboards) by user name, with resolved passwords. */
  observer(username: string): { password: string; farms: readonly string[] | '*' } | undefined;
}

/**
 * Builds the registry; throws ConfigError naming every secret reference that cannot be resolved
 * (never its value) and every reference to a missing farm or file, at the file, line and column
 * of its key.
 */
export function buildRegistry(files: ConfigFiles, env: NodeJS.ProcessEnv = process.env): Registry {
  const problems: ConfigIssue[] = [];
  const problem: AddProblem = (file, path, message) =>
    problems.push({
      file,
      ...(files.locate?.(file, path) ?? { line: 0, column: 0 }),
      path: formatPath(path),
      message,
    });
  const secret = (ref: SecretRef, file: string, path: (string | number)[]): string => {
    try {
      return resolveSecret(ref, files.dir, env);
    } catch (err) {
      if (!(err instanceof SecretError)) throw err;
      problem(file, path, err.message);
      return '';
    }
  };
  checkDaemonReferences(files.daemon, secret, problem);
  const farms = new Map<string, Farm>();
  const collars = new Map<string, CollarOwner>();
  const credentials = new Map<string, CollarCredential>();

  for (const { file, farm: config } of files.farms) {
    const farmId = config.farm.id;
    const cows = new Map<string, Cow>();
    for (const [i, cow] of config.cows.entries()) {
      cows.set(cow.id, cow);
      if (cow.collar) {
        collars.set(collarKey(farmId, cow.collar), { farmId, cowId: cow.id });
        if (cow.collarPassword !== undefined) {
          credentials.set(cow.collar, {
            farmId,
            collarId: cow.collar,
            password: secret(cow.collarPassword, file, ['cows', i, 'collarPassword']),
          });
        }
      }
    }
    if (config.mqtt.password !== undefined) {
      credentials.set(config.mqtt.username ?? farmId, {
        farmId,
        password: secret(config.mqtt.password, file, ['mqtt', 'password']),
      });
    }
    farms.set(farmId, {
      id: farmId,
      name: config.farm.name,
      timezone: config.farm.timezone,
      file,
      config,
      cows,
      contacts: config.contacts,
    });
  }

  const observers = new Map(
    files.daemon.broker.embedded.observers.map((o, i) => [
      o.username,
      {
        password: secret(o.password, DAEMON_FILE, ['broker', 'embedded', 'observers', i, 'password']),
        farms: o.farms,
      },
    ]),
  );
  checkObserverFarms(files.daemon, [...farms.keys()], problem);
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    daemon: files.daemon,
    farms,
    hash: files.hash,
    collarOwner: (farmId, collarId) => collars.get(collarKey(farmId, collarId)),
    credential: (username) => credentials.get(username),
    observer: (username) => observers.get(username),
  };
}

function collarKey(farmId: string, collarId: string): string {
  return `${farmId}/${collarId}`;
}
