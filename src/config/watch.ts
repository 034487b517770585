/**
 * Watches the config directory and its farms/ folder (not the files: editors save by writing a new
 * file and renaming it, and a watch on the old inode goes silent), debounces, then reloads.
 */
import { type FSWatcher, watch } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { FARMS_DIR } from './load.js';

const DEBOUNCE_MS = 250;

export function watchConfigDir(dir: string, reload: () => void, logger: Logger): { close(): void } {
  const log = logger.child({ module: 'config-watch' });
  let timer: NodeJS.Timeout | undefined;
  const trigger = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      reload();
    }, DEBOUNCE_MS);
  };
  const watchers: FSWatcher[] = [];
  for (const path of [dir, join(dir, FARMS_DIR)]) {
    try {
      const w = watch(path, { persistent: false }, trigger);
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
