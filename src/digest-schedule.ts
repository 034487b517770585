/**
 * Schedules each farm's daily digest with node-cron at `policy.digestAt` in the farm's time zone,
 * and re-plans when the config changes.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Registry } from './config/registry.js';

export function createDigestSchedule(deps: { logger: Logger; run: (farmId: string) => void }) {
  const log = deps.logger.child({ module: 'digest-schedule' });
  let tasks: ScheduledTask[] = [];

  function clear(): void {
    for (const task of tasks) void task.destroy();
    tasks = [];
  }

  return {
    /** (Re)plans one cron task per farm. */
    plan(registry: Registry): void {
      clear();
      for (const farm of registry.farms.values()) {
        const [hour, minute] = farm.config.policy.digestAt.split(':');
        const task = cron.schedule(
          `${Number(minute)} ${Number(hour)} * * *`,
          () => {
            try {
              deps.run(farm.id);
            } catch (err) {
              log.error({ err, farmId: farm.id }, 'digest failed');
            }
          },
          { timezone: farm.timezone, name: `digest-${farm.id}` },
        );
        tasks.push(task);
      }
      log.info({ farms: tasks.length }, 'daily digests scheduled');
    },
    stop: clear,
  };
}
