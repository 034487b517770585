/**
 * The pino root logger: JSON by default, pretty when LOG_PRETTY=1 or stdout is a TTY,
 * with secrets and phone numbers redacted before anything is written.
 */
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/** Paths whose values never reach a log line. Constants, never built from input (pino docs/redaction). */
const SECRET_PATHS = [
  'password',
  '*.password',
  'collarPassword',
  '*.collarPassword',
  'secret',
  '*.secret',
  'accessToken',
  '*.accessToken',
  'appSecret',
  '*.appSecret',
  'verifyToken',
  '*.verifyToken',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers["x-hub-signature-256"]',
  '*.headers.authorization',
];
const PHONE_PATHS = ['phone', '*.phone', 'to', '*.to', 'from', '*.from', 'ackedBy', '*.ackedBy'];

/** Keeps the last 4 digits of a phone number so operators can still tell contacts apart. */
export function maskPhone(value: unknown): string {
  if (typeof value !== 'string') return '[redacted]';
  const digits = value.replace(/\D/g, '');
  return digits.length <= 4 ? '****' : `***${digits.slice(-4)}`;
}

export interface LoggerSettings {
  level?: LoggerOptions['level'];
  pretty?: boolean;
}

/** Whether pretty output was asked for (LOG_PRETTY=1) or stdout is a terminal. */
export function wantsPrettyLogs(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.LOG_PRETTY === '0') return false;
  return env.LOG_PRETTY === '1' || process.stdout.isTTY === true;
}

/** Builds the root logger; tests pass a destination stream to read lines back. */
export function createLogger(settings: LoggerSettings = {}, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: { app: 'cowbell' },
    redact: {
      paths: [...SECRET_PATHS, ...PHONE_PATHS],
      censor: (value, path) => (isPhonePath(path) ? maskPhone(value) : '[redacted]'),
    },
  };
  if (destination) return pino(options, destination);
  if (settings.pretty) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:standard' } },
    });
  }
  return pino(options);
}

function isPhonePath(path: readonly unknown[]): boolean {
  const last = String(path[path.length - 1] ?? '');
  return last === 'phone' || last === 'to' || last === 'from' || last === 'ackedBy';
}
