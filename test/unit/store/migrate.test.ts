import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDb } from '../../../src/store/db.js';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('schema migrations', () => {
  it('applies a lower-numbered migration added after a higher one, once, on a real file', () => {
    dir = mkdtempSync(join(tmpdir(), 'cowbell-migrate-'));
    const path = join(dir, 'db.sqlite');
    const db = openDb(path, [
      { version: 1, name: 'one', sql: 'CREATE TABLE a (x)' },
      { version: 30, name: 'thirty', sql: 'CREATE TABLE c (x)' },
    ]);
    const later = [
      { version: 1, name: 'one', sql: 'CREATE TABLE a (x)' },
      { version: 20, name: 'twenty', sql: 'CREATE TABLE b (x)' },
      { version: 30, name: 'thirty', sql: 'CREATE TABLE c (x)' },
    ];
    expect(migrate(db, later)).toBe(1);
    expect(migrate(db, later)).toBe(0);
    db.close();
    const reopened = openDb(path, later);
    const tables = reopened
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('a','b','c')")
      .all();
    expect(tables).toHaveLength(3);
    expect(reopened.pragma('journal_mode', { simple: true })).toBe('wal');
    reopened.close();
  });
});
