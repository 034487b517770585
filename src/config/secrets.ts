/**
 * Secrets in config: a literal string, `${ENV_NAME}`, `{ env: NAME }` or `{ file: path }`.
 * This is the one module that reads environment variables for config values.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

export const secretSchema = z
  .union(
    [
      z.string().min(1),
      z.strictObject({
        env: z.string().min(1).describe('name of the environment variable holding the secret'),
      }),
      z.strictObject({
        file: z.string().min(1).describe('path of a file holding the secret (trailing newline trimmed)'),
      }),
    ],
    { error: (issue) => describeBadSecret(issue.input) },
  )
  // biome-ignore lint/suspicious/noTemplateCurlyInString: documents the literal ${ENV} syntax
  .describe('a secret: literal, "${ENV}", { env: NAME } or { file: path }');
export type SecretRef = z.infer<typeof secretSchema>;

/**
 * Keys that hold secrets in the config files: a problem at or under one of them is reported
 * without the value (config check output, logs and /readyz are read by people who must not see it).
 */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'password',
  'collarPassword',
  'accessToken',
  'appSecret',
  'verifyToken',
  'secret',
  'key',
]);

/**
 * YAML reads an unquoted 987654321 as a number (and 0123 as 123, a long one rounded): a secret
 * typed like that is refused with the fix, never converted, and its value is never repeated.
 */
function describeBadSecret(input: unknown): string {
  const type = typeof input;
  if (type === 'number' || type === 'bigint' || type === 'boolean') {
    return `a secret must be text, but YAML reads this one as a ${type === 'boolean' ? 'true/false' : 'number'}: put it in quotes (password: "...") so it is kept exactly, or use "\${ENV_NAME}" (the value is not shown)`;
  }
  // biome-ignore lint/suspicious/noTemplateCurlyInString: documents the literal ${ENV} syntax
  return 'expected a secret: text, "${ENV_NAME}", { env: NAME } or { file: path } (the value is not shown)';
}

/** Thrown when a secret reference cannot be resolved; names the reference, never the value. */
export class SecretError extends Error {
  override name = 'SecretError';
}

const ENV_REF = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** Resolves a secret reference to its value; `baseDir` anchors relative file paths. */
export function resolveSecret(ref: SecretRef, baseDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (typeof ref === 'string') {
    const match = ENV_REF.exec(ref);
    if (!match) return ref;
    return readEnv(match[1] ?? '', env);
  }
  if ('env' in ref) return readEnv(ref.env, env);
  const path = isAbsolute(ref.file) ? ref.file : resolve(baseDir, ref.file);
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new SecretError(
      `secret file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

function readEnv(name: string, env: NodeJS.ProcessEnv): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new SecretError(`environment variable ${name} is not set; export it or use { file: path }`);
  }
  return value;
}
