/**
 * Holds the running config and reloads it all-or-nothing: every file is parsed, validated and turned
 * into a new registry before anything live is touched; a refused reload keeps the last good config
 * running and is visible in metrics and /readyz.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import { ConfigError, type ConfigFiles, type ConfigIssue, formatIssues, loadConfigDir } from './load.js';
import { createMissingFarms, type MissingFarmFile } from './missing-farms.js';
import { buildRegistry, type Registry } from './registry.js';

/** Sections read only at start: a change is reported and applied at the next start. */
export const RESTART_ONLY_SECTIONS = ['broker', 'http', 'storage', 'channels'] as const;

/**
 * The restart-only part of the daemon config. Broker logins (allowAnonymous, observers) are read at
 * each connection and re-checked for connected clients on reload, so they apply live and are left out.
 */
function restartOnlyView(registry: Registry) {
  const { broker, http, storage, channels } = registry.daemon;
  const { allowAnonymous: _a, observers: _o, ...listen } = broker.embedded;
  return { broker: { ...broker, embedded: listen }, http, storage, channels };
}

export type LoadOutcome = { ok: true; registry: Registry } | { ok: false; issues: ConfigIssue[] };

export interface ReloadResult {
  ok: boolean;
  /** false when the files did not change since the last load. */
  changed: boolean;
  issues: ConfigIssue[];
  /** Restart-only sections that changed and wait for a restart. */
  restartRequired: string[];
}

/** Loads, validates and resolves secrets for a config directory. */
export function loadRegistry(dir: string, env: NodeJS.ProcessEnv = process.env): LoadOutcome {
  const loaded = loadConfigDir(dir);
  return loaded.ok ? registryOf(loaded.files, env) : loaded;
}

function registryOf(files: ConfigFiles, env: NodeJS.ProcessEnv | undefined): LoadOutcome {
  try {
    return { ok: true, registry: buildRegistry(files, env) };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, issues: err.issues };
    throw err;
  }
}

export interface ConfigCoordinatorDeps {
  dir: string;
  /** Environment for `${NAME}` secrets (default process.env). */
  env?: NodeJS.ProcessEnv;
  initial: Registry;
  logger: Logger;
  metrics: Metrics;
  now: () => number;
  /** Called with the new registry after a successful reload; errors are logged, not fatal. */
  onChange: (registry: Registry) => void;
}

export function createConfigCoordinator(deps: ConfigCoordinatorDeps) {
  const log = deps.logger.child({ module: 'config' });
  let current = deps.initial;
  let lastError: string | null = null;
  const missingFarms = createMissingFarms({ dir: deps.dir, logger: deps.logger, now: deps.now });
  /** Reloads again when a farm kept without its file is due to be dropped. */
  let dropTimer: NodeJS.Timeout | undefined;
  deps.metrics.configReloadSuccess.set(1);
  deps.metrics.configReloadTimestamp.set(deps.now() / 1000);

  /** The new config plus the farms whose files vanished less than the grace period ago. */
  function load(): LoadOutcome {
    const loaded = loadConfigDir(deps.dir);
    const daemon = loaded.ok ? loaded.files.daemon : current.daemon;
    const graceMs = daemon.reload.missingFarmGraceMinutes * 60_000;
    const kept = missingFarms.reconcile(current, loaded.ok ? loaded.files : undefined, graceMs);
    if (!loaded.ok) return loaded;
    if (kept.length === 0) return registryOf(loaded.files, deps.env);
    const hash = createHash('sha256').update(loaded.files.hash);
    for (const { file } of kept) hash.update('\0kept:').update(file);
    const files = { ...loaded.files, farms: [...loaded.files.farms, ...kept], hash: hash.digest('hex') };
    return registryOf(files, deps.env);
  }

  function planDrop(): void {
    if (dropTimer) clearTimeout(dropTimer);
    dropTimer = undefined;
    const at = missingFarms.nextDropAt();
    if (at === undefined) return;
    dropTimer = setTimeout(() => coordinator.reload(), Math.max(at - deps.now(), 0) + 10);
    dropTimer.unref();
  }

  const coordinator = {
    current: () => current,
    /** The last refused reload's error, null when the last reload succeeded. */
    lastError: () => lastError,
    /** Running farms whose file is missing (kept until their grace period ends). */
    missingFarmFiles: (): MissingFarmFile[] => missingFarms.list(),
    close(): void {
      if (dropTimer) clearTimeout(dropTimer);
    },
    reload(): ReloadResult {
      const outcome = load();
      planDrop();
      deps.metrics.configMissingFarmFiles.set(missingFarms.list().length);
      if (!outcome.ok) {
        lastError = formatIssues(outcome.issues);
        deps.metrics.configReloadSuccess.set(0);
        deps.metrics.configReloads.inc({ result: 'refused' });
        log.error(
          { issues: outcome.issues },
          `config reload refused, keeping the last good config:\n${lastError}`,
        );
        return { ok: false, changed: true, issues: outcome.issues, restartRequired: [] };
      }
      const next = outcome.registry;
      if (next.hash === current.hash) {
        lastError = null;
        deps.metrics.configReloadSuccess.set(1);
        return { ok: true, changed: false, issues: [], restartRequired: [] };
      }
      const before = restartOnlyView(current);
      const after = restartOnlyView(next);
      const restartRequired = RESTART_ONLY_SECTIONS.filter(
        (section) => JSON.stringify(after[section]) !== JSON.stringify(before[section]),
      );
      current = next;
      lastError = null;
      deps.metrics.configReloadSuccess.set(1);
      deps.metrics.configReloadTimestamp.set(deps.now() / 1000);
      deps.metrics.configReloads.inc({ result: 'applied' });
      for (const section of restartRequired)
        log.warn({ section }, `${section} changed: takes effect after restart`);
      log.info({ farms: next.farms.size, hash: next.hash.slice(0, 12) }, 'config reloaded');
      try {
        deps.onChange(next);
      } catch (err) {
        log.error({ err }, 'applying the new config failed in a component');
      }
      return { ok: true, changed: true, issues: [], restartRequired };
    },
  };
  return coordinator;
}

export type ConfigCoordinator = ReturnType<typeof createConfigCoordinator>;
