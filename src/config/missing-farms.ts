/**
 * Farms whose file vanished: kept running on their last config for a grace period, because a file
 * gone for a second (a sync tool, a `mv` out and back, a checkout) must not disconnect every collar
 * of the farm and drop its open alerts. Past the grace period the farm is dropped, with a warning.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ConfigFiles } from './load.js';
import type { Registry } from './registry.js';
import type { FarmFile } from './schema.js';

/** A running farm whose file is gone, as /readyz shows it. */
export interface MissingFarmFile {
  file: string;
  farmId: string;
  missingSince: string;
  droppedAt: string;
}

export function createMissingFarms(deps: { dir: string; logger: Logger; now: () => number }) {
  const log = deps.logger.child({ module: 'config' });
  const missing = new Map<string, { farmId: string; since: number; graceMs: number }>();
  const iso = (ms: number) => new Date(ms).toISOString();

  return {
    /**
     * Called at every reload attempt. `loaded` is the new config when it is valid: the farms to keep
     * alongside it are returned, and farms missing past their grace are dropped from the list.
     */
    reconcile(
      current: Registry,
      loaded: ConfigFiles | undefined,
      graceMs: number,
    ): { file: string; farm: FarmFile }[] {
      const keep: { file: string; farm: FarmFile }[] = [];
      const t = deps.now();
      for (const farm of current.farms.values()) {
        // A file renamed to another name, or another file now holding the farm, is an edit.
        const present = loaded
          ? loaded.farms.some((f) => f.file === farm.file || f.farm.farm.id === farm.id)
          : existsSync(join(deps.dir, farm.file));
        const entry = missing.get(farm.file);
        if (present) {
          if (entry) log.info({ file: farm.file, farmId: farm.id }, `farm file ${farm.file} is back`);
          missing.delete(farm.file);
          continue;
        }
        if (!entry) {
          missing.set(farm.file, { farmId: farm.id, since: t, graceMs });
          log.warn(
            { file: farm.file, farmId: farm.id },
            `farm file ${farm.file} is missing: farm "${farm.id}" keeps running on its last config ` +
              `(collars stay connected) until ${iso(t + graceMs)}; restore the file, or the farm is dropped then`,
          );
        } else entry.graceMs = graceMs;
        const since = entry?.since ?? t;
        if (!loaded) continue;
        if (t - since < graceMs) keep.push({ file: farm.file, farm: farm.config });
        else {
          missing.delete(farm.file);
          log.warn(
            { file: farm.file, farmId: farm.id },
            `farm file ${farm.file} has been missing since ${iso(since)}: farm "${farm.id}" is dropped ` +
              'and its collars are disconnected',
          );
        }
      }
      return keep;
    },
    /** Running farms without a file, for /readyz. */
    list(): MissingFarmFile[] {
      return [...missing].map(([file, m]) => ({
        file,
        farmId: m.farmId,
        missingSince: iso(m.since),
        droppedAt: iso(m.since + m.graceMs),
      }));
    },
    /** When the next kept farm is due to be dropped (undefined when none is missing). */
    nextDropAt(): number | undefined {
      const times = [...missing.values()].map((m) => m.since + m.graceMs);
      return times.length > 0 ? Math.min(...times) : undefined;
    },
  };
}

export type MissingFarms = ReturnType<typeof createMissingFarms>;
