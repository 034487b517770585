/**
 * A secret typed as a plain number (`password: 987654321`, which YAML reads as a number) is refused
 * with the fix, and its value appears nowhere: not in the log, not in the unauthenticated /readyz,
 * not in the start-up error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { ConfigError } from '../../src/config/load.js';
import { DAEMON_YAML, GREEN_ACRES_YAML, makeTempConfig } from '../support/config-dir.js';
import { captureLog } from '../support/log-capture.js';
import { waitFor } from '../support/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const SECRET = '987654321';
const NUMBER_PASSWORD_YAML = GREEN_ACRES_YAML.replace('password: green-secret', `password: ${SECRET}`);
const REFUSAL =
  'farms/green-acres.yaml:8:13: mqtt.password: a secret must be text, but YAML reads this one as a number: put it in quotes';

describe('secrets written as plain numbers', () => {
  it('refuses them on reload without the value reaching the log or /readyz', async () => {
    const config = makeTempConfig(undefined, DAEMON_YAML.replace(/level: \w+/, 'level: trace'));
    cleanups.push(() => config.remove());
    const log = captureLog('trace');
    const app = await createApp({ configDir: config.dir, dbPath: config.dbPath, logger: log.logger });
    await app.start();
    cleanups.push(() => app.stop());

    config.write('farms/green-acres.yaml', NUMBER_PASSWORD_YAML);
    let body = '';
    await waitFor(
      async () => {
        body = await (await fetch(`${app.addresses().http}/readyz`)).text();
        return body.includes('lastReloadRefused');
      },
      10_000,
      'refused reload in /readyz',
    );
    expect(body).toContain(REFUSAL);
    expect(body).not.toContain(SECRET);
    const logText = log.lines.join('');
    expect(logText).toContain('config reload refused');
    expect(logText).not.toContain(SECRET);
    // The last good credentials keep working.
    expect(app.registry().credential('green-acres')?.password).toBe('green-secret');
  });

  it('refuses them at start with the fix and without the value', async () => {
    const config = makeTempConfig({ 'green-acres.yaml': NUMBER_PASSWORD_YAML });
    cleanups.push(() => config.remove());
    const log = captureLog('trace');
    const started = createApp({ configDir: config.dir, dbPath: config.dbPath, logger: log.logger });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    const message = await started.catch((err: Error) => err.message);
    expect(message).toContain(REFUSAL);
    expect(message).not.toContain(SECRET);
    expect(log.lines.join('')).not.toContain(SECRET);
  });
});
