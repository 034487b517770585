/**
 * A farm whose file vanishes keeps running on its last config for the grace period
 * (reload.missingFarmGraceMinutes), then is dropped; driven with a hand-moved clock.
 */
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createConfigCoordinator, loadRegistry } from '../../../src/config/coordinator.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { DAEMON_YAML, HILLSIDE_YAML, makeTempConfig, type TempConfig } from '../../support/config-dir.js';

let config: TempConfig | undefined;
let close: (() => void) | undefined;
afterEach(() => {
  close?.();
  config?.remove();
});

function setup(daemon = DAEMON_YAML) {
  config = makeTempConfig(undefined, daemon);
  const first = loadRegistry(config.dir);
  if (!first.ok) throw new Error('test config refused');
  let t = Date.parse('2026-06-01T06:00:00Z');
  const coordinator = createConfigCoordinator({
    dir: config.dir,
    initial: first.registry,
    logger: createLogger({ level: 'silent' }),
    metrics: createMetrics(),
    now: () => t,
    onChange: () => {},
  });
  close = () => coordinator.close();
  const hillside = join(config.dir, 'farms', 'hillside.yaml');
  const advanceMinutes = (m: number) => {
    t += m * 60_000;
  };
  return { coordinator, hillside, advanceMinutes };
}

describe('a farm whose file is missing', () => {
  it('keeps running for the default 5 minutes, listed as missing, then is dropped', () => {
    const { coordinator, hillside, advanceMinutes } = setup();
    unlinkSync(hillside);
    expect(coordinator.reload()).toMatchObject({ ok: true });
    expect(coordinator.current().farms.has('hillside')).toBe(true);
    expect(coordinator.current().credential('hillside')?.password).toBe('hill-secret');
    expect(coordinator.missingFarmFiles()).toEqual([
      {
        file: 'farms/hillside.yaml',
        farmId: 'hillside',
        missingSince: '2026-06-01T06:00:00.000Z',
        droppedAt: '2026-06-01T06:05:00.000Z',
      },
    ]);
    advanceMinutes(4.9);
    coordinator.reload();
    expect(coordinator.current().farms.has('hillside')).toBe(true);
    advanceMinutes(0.1);
    coordinator.reload();
    expect(coordinator.current().farms.has('hillside')).toBe(false);
    expect(coordinator.current().farms.has('green-acres')).toBe(true);
    expect(coordinator.missingFarmFiles()).toEqual([]);
  });

  it('is no longer missing once the file is back, and its grace starts afresh next time', () => {
    const { coordinator, hillside, advanceMinutes } = setup();
    unlinkSync(hillside);
    coordinator.reload();
    advanceMinutes(4);
    writeFileSync(hillside, HILLSIDE_YAML);
    coordinator.reload();
    expect(coordinator.missingFarmFiles()).toEqual([]);
    unlinkSync(hillside);
    coordinator.reload();
    advanceMinutes(4);
    coordinator.reload();
    expect(coordinator.current().farms.has('hillside')).toBe(true);
  });

  it('is an edit, not a missing file, when another file now holds the farm', () => {
    const { coordinator, hillside } = setup();
    unlinkSync(hillside);
    writeFileSync(join(config?.dir ?? '', 'farms', 'hill.yaml'), HILLSIDE_YAML);
    expect(coordinator.reload()).toMatchObject({ ok: true });
    expect(coordinator.current().farms.get('hillside')?.file).toBe('farms/hill.yaml');
    expect(coordinator.missingFarmFiles()).toEqual([]);
  });

  it('uses the grace period set in cowbell.yaml', () => {
    const { coordinator, hillside, advanceMinutes } = setup(
      `${DAEMON_YAML}reload:\n  missingFarmGraceMinutes: 30\n`,
    );
    unlinkSync(hillside);
    coordinator.reload();
    advanceMinutes(29);
    coordinator.reload();
    expect(coordinator.current().farms.has('hillside')).toBe(true);
    advanceMinutes(1);
    coordinator.reload();
    expect(coordinator.current().farms.has('hillside')).toBe(false);
  });
});
