import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MpError } from '../shared/errors';

export interface OpenDbOptions {
  /** Path of a better_sqlite3.node built for the running ABI (the Electron host passes its own build). */
  nativeBinding?: string;
  readonly?: boolean;
}

/** Opens the metadata database in WAL mode, creating its folder. */
export function openDb(file: string, opts: OpenDbOptions = {}): Database.Database {
  try {
    if (!opts.readonly) fs.mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file, {
      readonly: opts.readonly ?? false,
      fileMustExist: opts.readonly ?? false,
      ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
    });
    if (!opts.readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // CLI jobs and the desktop app may write at the same time; wait for the lock rather than fail.
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    return db;
  } catch (e) {
    throw new MpError('E_DB', `cannot open the metadata database ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
