/** A real pino logger writing into memory, so tests can read exactly what would reach the log. */
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger, type LoggerSettings } from '../../src/observability/logger.js';

export function captureLog(level: LoggerSettings['level'] = 'info'): {
  lines: string[];
  text: () => string;
  logger: Logger;
} {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, text: () => lines.join(''), logger: createLogger({ level }, sink) };
}
