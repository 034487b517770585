/**
 * The process edge: argv -> command, SIGTERM/SIGINT -> graceful stop, SIGHUP -> config reload,
 * exit codes (0 ok, 1 failure, 2 bad arguments or invalid config).
 */
import { type App, createApp } from './app.js';
import { checkConfig, EXPORT_HELP, HELP, parseCommand, UsageError } from './cli.js';
import { ConfigError } from './config/load.js';
import { createLogger, wantsPrettyLogs } from './observability/logger.js';

/** Graceful stop must finish within this, or the process exits anyway (issue 2: exit within 10 s). */
const STOP_DEADLINE_MS = 9_000;

async function main(argv: string[]): Promise<number> {
  let command: ReturnType<typeof parseCommand>;
  try {
    command = parseCommand(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`cowbell: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  switch (command.name) {
    case 'help':
      process.stdout.write(`${HELP}\n`);
      return 0;
    case 'config-check':
      return checkConfig(command.configDir, (line) => process.stdout.write(`${line}\n`), command.dbPath)
        ? 0
        : 2;
    case 'replay': {
      const { runReplayCommand } = await import('./replay/command.js');
      return runReplayCommand(command);
    }
    case 'outbox-list':
    case 'outbox-retry': {
      const { runOutboxCommand } = await import('./outbox-command.js');
      try {
        return runOutboxCommand(command, (line) => process.stdout.write(`${line}\n`));
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`cowbell: ${err.message}\n`);
        return 2;
      }
    }
    case 'export-help':
      process.stdout.write(`${EXPORT_HELP}\n`);
      return 0;
    case 'export': {
      const { runExportCommand } = await import('./export/command.js');
      return runExportCommand(command);
    }
    case 'start':
      return start(command.configDir, command.dbPath);
  }
}

async function start(configDir: string, dbPath: string | undefined): Promise<number> {
  const pretty = wantsPrettyLogs();
  // Until the config is loaded, failures go to a plain logger; the app builds its own from the config.
  let logger = createLogger({ level: 'info', pretty });
  let app: App;
  // Set once the signal handlers exist: a fatal error in the app stops it like a signal, with exit 1.
  let fatal: (err: unknown) => void = () => {};
  try {
    app = await createApp({
      configDir,
      prettyLogs: pretty,
      onFatal: (err) => fatal(err),
      ...(dbPath ? { dbPath } : {}),
    });
    logger = app.logger;
    await app.start();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(
        `cowbell: refusing to start, ${err.message}\nFix the files above, then check with: npx cowbell config check ${configDir}\n`,
      );
      return 2;
    }
    logger.fatal({ err }, 'cowbell failed to start');
    return 1;
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string, code: number) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping');
      const deadline = setTimeout(() => {
        logger.error('stop took too long; exiting');
        resolve(1);
      }, STOP_DEADLINE_MS);
      deadline.unref();
      app.stop().then(
        () => {
          clearTimeout(deadline);
          resolve(code);
        },
        (err: unknown) => {
          logger.error({ err }, 'stop failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM', 0));
    process.on('SIGINT', () => stop('SIGINT', 0));
    process.on('SIGHUP', () => app.reload());
    fatal = (err) => {
      logger.fatal({ err }, 'cannot go on safely; stopping so the supervisor restarts from the database');
      stop('fatal', 1);
    };
    process.on('uncaughtException', (err) => {
      logger.fatal({ err }, 'uncaught exception');
      stop('uncaughtException', 1);
    });
    process.on('unhandledRejection', (err) => {
      logger.fatal({ err }, 'unhandled rejection');
      stop('unhandledRejection', 1);
    });
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Give pino's async destination a moment to flush, then leave even if a handle lingers.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (err: unknown) => {
    process.stderr.write(`cowbell: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
