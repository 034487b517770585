import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannelSetup } from '../../../src/channels/create-channels.js';
import { systemClock } from '../../../src/clock.js';
import { channelsSchema } from '../../../src/config/channels-schema.js';
import { createLogger } from '../../../src/observability/logger.js';
import { type Db, openDb } from '../../../src/store/db.js';

const logger = createLogger(
  { level: 'silent' },
  new Writable({
    write(_c, _e, done) {
      done();
    },
  }),
);
let db: Db;
afterEach(() => db?.close());

describe('channels from cowbell.yaml', () => {
  it('uses the console alone when WhatsApp is not configured', () => {
    db = openDb(':memory:');
    const setup = createChannelSetup(channelsSchema.parse({}), {
      db,
      clock: systemClock,
      logger,
      configDir: 'config',
    });
    expect(setup.channels.deliver.map((c) => c.name)).toEqual(['console']);
    expect(setup.whatsapp).toBeUndefined();
  });

  it('uses WhatsApp with its limits and secrets from the environment, and the console as fallback', () => {
    db = openDb(':memory:');
    const config = channelsSchema.parse({
      whatsapp: {
        phoneNumberId: '106540352242922',
        accessToken: { env: 'WA_TOKEN' },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's literal ${ENV} syntax
        appSecret: '${WA_SECRET}',
        verifyToken: 'verify-me',
        pairRateSeconds: 6,
        fallback: 'console',
      },
    });
    const setup = createChannelSetup(config, {
      db,
      clock: systemClock,
      logger,
      configDir: 'config',
      env: { WA_TOKEN: 'token', WA_SECRET: 'secret' },
    });
    expect(setup.channels.deliver.map((c) => c.name)).toEqual(['whatsapp']);
    expect(setup.channels.deliver[0]?.limits).toEqual({ ratePerSecond: 80, recipientIntervalMs: 6000 });
    expect(setup.channels.fallback?.name).toBe('console');
    expect(setup.whatsapp).toMatchObject({ appSecret: 'secret', verifyToken: 'verify-me' });
    expect(setup.settings.retryByChannel?.whatsapp?.factor).toBe(4);
  });

  it('prints what WhatsApp cannot deliver on the console unless another fallback or none is chosen', () => {
    const fallbackOf = (extra: Record<string, unknown>, console = true) => {
      db?.close();
      db = openDb(':memory:');
      const config = channelsSchema.parse({
        console: { enabled: console },
        whatsapp: {
          phoneNumberId: '106540352242922',
          accessToken: 't',
          appSecret: 'a',
          verifyToken: 'v',
          ...extra,
        },
      });
      return createChannelSetup(config, { db, clock: systemClock, logger, configDir: 'config' }).channels
        .fallback?.name;
    };
    expect(fallbackOf({})).toBe('console');
    expect(fallbackOf({ fallback: 'none' })).toBeUndefined();
    expect(fallbackOf({}, false)).toBeUndefined();
  });

  it('still starts with the retired retry.maxAttempts, and says in the log that it is no longer used', () => {
    db = openDb(':memory:');
    const lines: string[] = [];
    const capture = createLogger(
      { level: 'warn' },
      new Writable({
        write(chunk: Buffer, _e, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const config = channelsSchema.parse({
      whatsapp: {
        phoneNumberId: '106540352242922',
        accessToken: 't',
        appSecret: 'a',
        verifyToken: 'v',
        retry: { maxAttempts: 12 },
      },
    });
    createChannelSetup(config, { db, clock: systemClock, logger: capture, configDir: 'config' });
    expect(lines.join('')).toContain('channels.whatsapp.retry.maxAttempts is no longer used');
  });

  it('names the missing environment variable, not a value', () => {
    db = openDb(':memory:');
    const config = channelsSchema.parse({
      whatsapp: {
        phoneNumberId: '106540352242922',
        accessToken: { env: 'NOPE' },
        appSecret: 'a',
        verifyToken: 'v',
      },
    });
    expect(() =>
      createChannelSetup(config, { db, clock: systemClock, logger, configDir: 'config', env: {} }),
    ).toThrow(/NOPE is not set/);
  });
});
