import type Database from 'better-sqlite3';
import type { z } from 'zod';
import { MpError } from '../shared/errors';

/** Settings as JSON documents by key, each read through its zod schema (a hand-edited DB cannot smuggle bad values in). */
export class SettingsStore {
  constructor(private readonly db: Database.Database) {}

  get<T extends z.ZodType>(key: string, schema: T, fallback: z.output<T>): z.output<T> {
    const raw = this.db.prepare(`SELECT value FROM settings WHERE key = ?`).pluck().get(key) as string | undefined;
    if (raw === undefined) return fallback;
    const r = schema.safeParse(JSON.parse(raw));
    if (!r.success) throw new MpError('E_DB', `setting "${key}" in the database is invalid; set it again`);
    return r.data;
  }

  set(key: string, value: unknown): void {
    this.db
      .prepare(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`)
      .run(key, JSON.stringify(value), new Date().toISOString());
  }
}
