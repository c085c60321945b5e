import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { MpError } from '../shared/errors';
import { openDb } from './open';

export interface Migration {
  id: number;
  name: string;
  sql: string;
  sha256: string;
}

export interface MigrationStatus {
  id: number;
  name: string;
  state: 'applied' | 'pending';
  appliedAt: string | null;
}

// The SQL files are embedded in the bundle at build time (and read by vitest the same way), so the CLI, the desktop
// app and a packaged build never look for them on disk.
const files = import.meta.glob('../../migrations/*.sql', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

const FILE_RE = /(\d{4})_([a-z0-9_]+)\.sql$/;

export function loadMigrations(source: Record<string, string> = files): Migration[] {
  const list = Object.entries(source).map(([file, sql]) => {
    const m = FILE_RE.exec(file);
    if (!m) throw new MpError('E_MIGRATION', `migration file name must look like 0001_name.sql: ${file}`);
    return { id: Number(m[1]), name: `${m[1]}_${m[2]}.sql`, sql, sha256: sha256(sql) };
  });
  list.sort((a, b) => a.id - b.id);
  list.forEach((m, i) => {
    if (m.id !== i + 1) throw new MpError('E_MIGRATION', `migrations must be numbered 0001, 0002, … without gaps: found ${m.name}`);
  });
  return list;
}

function sha256(s: string): string {
  // Line endings are normalised so a checkout with CRLF does not look like an edited migration.
  return createHash('sha256').update(s.replace(/\r\n/g, '\n')).digest('hex');
}

const LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`;

interface LedgerRow {
  id: number;
  name: string;
  sha256: string;
  applied_at: string;
}

function readLedger(db: Database.Database): LedgerRow[] {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get();
  if (!exists) return [];
  return db.prepare(`SELECT id, name, sha256, applied_at FROM schema_migrations ORDER BY id`).all() as LedgerRow[];
}

/** Refuses a database written by a newer build, or one whose applied migrations were edited since. */
function checkLedger(applied: LedgerRow[], known: Migration[]): void {
  const newest = applied.at(-1);
  const knownMax = known.at(-1)?.id ?? 0;
  if (newest && newest.id > knownMax) {
    throw new MpError(
      'E_MIGRATION',
      `the database is from a newer MarketPipe (schema ${newest.id}, this build knows up to ${knownMax}); upgrade MarketPipe or use another --data-dir`,
    );
  }
  for (const row of applied) {
    const m = known[row.id - 1];
    if (!m || m.sha256 !== row.sha256) {
      throw new MpError(
        'E_MIGRATION',
        `migration ${row.name} was changed after it was applied (hash mismatch); add a new migration instead of editing an applied one`,
      );
    }
  }
}

/** Status of every known migration; `undefined` stands for a database that does not exist yet (all pending). */
export function migrationStatus(db: Database.Database | undefined, known: Migration[] = loadMigrations()): MigrationStatus[] {
  const applied = db ? readLedger(db) : [];
  checkLedger(applied, known);
  const byId = new Map(applied.map((r) => [r.id, r]));
  return known.map((m) => ({
    id: m.id,
    name: m.name,
    state: byId.has(m.id) ? 'applied' : 'pending',
    appliedAt: byId.get(m.id)?.applied_at ?? null,
  }));
}

/**
 * Applies every pending migration in one transaction: all or nothing. A failure rolls back and leaves the database
 * exactly as it was (never deleted, never half-migrated). Returns the names applied.
 */
export function migrate(db: Database.Database, known: Migration[] = loadMigrations()): string[] {
  const applied = readLedger(db);
  checkLedger(applied, known);
  const pending = known.slice(applied.length);
  if (pending.length === 0) return [];
  const insert = () => db.prepare(`INSERT INTO schema_migrations (id, name, sha256, applied_at) VALUES (?, ?, ?, ?)`);
  const run = db.transaction(() => {
    db.exec(LEDGER);
    const ins = insert();
    for (const m of pending) {
      try {
        db.exec(m.sql);
      } catch (e) {
        throw new MpError('E_MIGRATION', `migration ${m.name} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      ins.run(m.id, m.name, m.sha256, new Date().toISOString());
    }
    db.pragma(`user_version = ${pending.at(-1)!.id}`);
  });
  // IMMEDIATE: take the write lock up front, so two processes starting at once serialise instead of failing midway.
  run.immediate();
  return pending.map((m) => m.name);
}

/** Applies the pending migrations to the database file (opened for this and closed); returns the names applied. */
export function migrateFile(file: string, nativeBinding?: string): string[] {
  const db = openDb(file, { nativeBinding });
  try {
    return migrate(db);
  } finally {
    db.close();
  }
}

/** Migration status of a database file, changing nothing (a missing file is not created); `open`: a handle to reuse. */
export function migrationStatusOfFile(file: string, open: Database.Database | undefined, nativeBinding?: string): MigrationStatus[] {
  if (!fs.existsSync(file)) return migrationStatus(undefined);
  const db = open ?? openDb(file, { readonly: true, nativeBinding });
  try {
    return migrationStatus(db);
  } finally {
    if (db !== open) db.close();
  }
}
