import fs from 'node:fs';
import { CatalogStore } from '../db/catalog';
import { migrationStatus } from '../db/migrations';
import { openDb } from '../db/open';
import { MpError } from '../shared/errors';
import type { Snapshot } from '../lake/catalog';
import { filesAsOf } from '../lake/snapshots';
import { damagedFileError } from './limits';
import type { FileSet } from './service';

// What `marketpipe query` reads, taken from the catalog through a read-only SQLite handle in one read transaction
// (a commit is one SQLite transaction: a read sees the lake before it or after it, never half of it). The engine's
// start-up work (migrations, adopting a lake written before the catalog, the quick check that marks damaged files,
// the sweep after a killed writer) writes; when any of it is due this answers null and the CLI opens the engine.

export interface LakeRead {
  fileSet: FileSet;
  /** the snapshot `asOf` named */
  snapshot?: Snapshot;
}

/**
 * The catalog's files (live, or as of `asOf`: a job id or an ISO time, resolved by lake/snapshots.ts), or null when
 * the engine must prepare the lake first: no database yet, migrations pending, a lake not adopted, a catalogued file
 * missing or not of its catalogued size (the quick check marks it), a snapshot's retained file not in place yet.
 */
export function readLakeFiles(dbFile: string, barsRoot: string, asOf?: string): LakeRead | null {
  if (!fs.existsSync(dbFile)) return null;
  const db = openDb(dbFile, { readonly: true });
  try {
    if (migrationStatus(db).some((m) => m.state !== 'applied')) return null;
    const catalog = new CatalogStore(db, barsRoot);
    return db.transaction((): LakeRead | null => {
      if (!catalog.adopted()) return null;
      const entries = catalog.entries();
      const ok = entries.filter((e) => e.status === 'ok');
      // the start's quick check first (live and as-of reads alike): a damaged live file is marked before a snapshot
      // that holds it is resolved, so the snapshot is refused naming it
      if (ok.some((e) => fs.statSync(e.file, { throwIfNoEntry: false })?.size !== e.bytes)) return null;
      if (asOf !== undefined) {
        const { snapshot, files } = filesAsOf(catalog, asOf);
        return files.every((f) => fs.existsSync(f)) ? { fileSet: { files, oneSchema: true }, snapshot } : null;
      }
      // damaged files last, as the engine orders them (query/client.ts): a query that needs one fails naming it
      return { fileSet: { files: [...ok, ...entries.filter((e) => e.status !== 'ok')].map((e) => e.file), oneSchema: true } };
    })();
  } finally {
    db.close();
  }
}

/**
 * After a query that failed reading a lake file has ended (its DuckDB closed): the file marked bad, as the engine marks
 * it, through a short read-write handle; the error to report, or undefined when the failure named no lake file.
 */
export function reportDamaged(e: unknown, dbFile: string, barsRoot: string): MpError | undefined {
  if (!(e instanceof MpError) || e.code !== 'E_QUERY') return undefined;
  const db = openDb(dbFile);
  try {
    return damagedFileError(e, new CatalogStore(db, barsRoot), barsRoot);
  } finally {
    db.close();
  }
}
