/**
 * Watches the config directory and its farms/ folder (not the files: editors save by writing a new
 * file and renaming it, and a watch on the old inode goes silent) and reloads only once the files
 * have stopped changing, so a farm file caught half-written (a slow copy, an editor that truncates
 * and rewrites) is never applied: its missing cows would have their readings dead-lettered.
 */
import { type FSWatcher, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DAEMON_FILE, FARMS_DIR, listFarmFiles } from './load.js';

/** An atomic rename (or a deletion) brings a whole file at once: only gather the burst of events. */
const RENAME_DEBOUNCE_MS = 250;
/** An mtime this far in the future is clock skew (a copied file), not a write in progress. */
const FUTURE_MTIME_SLACK_MS = 1_000;

export interface ConfigWatchDeps {
  dir: string;
  reload: () => void;
  logger: Logger;
  /** How long a written file must stay unchanged before it is applied (read at each event: live). */
  settleMs: () => number;
  now?: () => number;
}

export function watchConfigDir(deps: ConfigWatchDeps): { close(): void } {
  const { dir } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ module: 'config-watch' });
  let timer: NodeJS.Timeout | undefined;
  /** Whether a file was written in place since the last reload (not only renamed or deleted). */
  let written = false;

  const arm = (ms: number) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(settle, ms);
  };
  const onEvent = (folder: string) => (event: string, name: string | Buffer | null) => {
    if (!isConfigFile(folder, name)) return;
    // Linux reports an in-place write as 'change'; a rename over the file, a new name or a deletion
    // as 'rename'. A new file written by a copy gets both, so it waits like any write.
    if (event !== 'rename') written = true;
    arm(written ? deps.settleMs() : RENAME_DEBOUNCE_MS);
  };
  // The events said quiet; the mtimes confirm it (some file systems drop or merge events).
  function settle(): void {
    timer = undefined;
    if (written) {
      const youngest = youngestWriteAge(dir, now());
      const wait = deps.settleMs() - youngest;
      if (wait > 0) {
        arm(wait);
        return;
      }
    }
    written = false;
    deps.reload();
  }

  const watchers: FSWatcher[] = [];
  for (const folder of ['', FARMS_DIR]) {
    const path = join(dir, folder);
    try {
      const w = watch(path, { persistent: false }, onEvent(folder));
      w.on('error', (err) => log.warn({ err, path }, 'config watch error'));
      watchers.push(w);
    } catch (err) {
      log.warn({ err, path }, 'cannot watch config folder; reload with SIGHUP');
    }
  }
  return {
    close() {
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}

/** Editor swap files, backups and temp files come and go without touching the config. */
function isConfigFile(folder: string, name: string | Buffer | null): boolean {
  if (name === null) return true;
  const file = name.toString();
  if (folder === '') return file === DAEMON_FILE || file === FARMS_DIR;
  return /\.ya?ml$/i.test(file) && !file.startsWith('.');
}

/** Milliseconds since the most recent write to any config file (Infinity when none can be read). */
function youngestWriteAge(dir: string, nowMs: number): number {
  let youngest = Number.POSITIVE_INFINITY;
  for (const path of [join(dir, DAEMON_FILE), ...listFarmFiles(dir, [])]) {
    try {
      const age = nowMs - statSync(path).mtimeMs;
      if (age >= -FUTURE_MTIME_SLACK_MS) youngest = Math.min(youngest, Math.max(age, 0));
    } catch {
      // Vanished between listing and stat: the reload sees it gone.
    }
  }
  return youngest;
}
