import fs from 'node:fs';
import { LAKE_SCHEMA, LAKE_SCHEMA_VERSION, keyOfPath, type LakeCatalog } from './catalog';
import { listBarFiles, sqlString } from './layout';
import { fileStats, sha256File } from './publish';
import { describeParquet, schemaProblem } from './verify';
import type { LakeWriter } from './writer';

export interface AdoptResult {
  /** files registered as they were */
  registered: number;
  /** files of an older schema rewritten (published through the writer, which catalogues them) */
  rewritten: number;
  /** files left out: unreadable, or not a lake file (`lake verify` names them) */
  skipped: string[];
}

const BAR_COLUMNS = LAKE_SCHEMA.filter(([c]) => c !== 'session').map(([c]) => c);

/**
 * Registers the files of a lake written before the catalog. Each file is catalogued on its own (its checksum streamed),
 * so a run that is killed resumes where it stopped: files already catalogued are skipped. Files of the older schema
 * (trade_count DOUBLE in aggregates, no `session`) are rewritten in the one schema through the writer. Files that are
 * unreadable or not bars are left where they are, uncatalogued: no reader sees them and `lake verify` reports them.
 */
export async function adoptLake(barsRoot: string, catalog: LakeCatalog, writer: LakeWriter): Promise<AdoptResult> {
  const known = new Set(catalog.entries().map((e) => e.file));
  const out: AdoptResult = { registered: 0, rewritten: 0, skipped: [] };
  for (const file of listBarFiles(barsRoot)) {
    if (known.has(file)) continue;
    const key = keyOfPath(barsRoot, file);
    if (!key) {
      out.skipped.push(file);
      continue;
    }
    const seen = await writer.withConnection(async (conn) => {
      try {
        const cols = await describeParquet(conn, file);
        const names = new Set(cols.map(([c]) => c));
        if (!BAR_COLUMNS.every((c) => names.has(c))) return { kind: 'foreign' as const };
        if (schemaProblem(cols) === null) return { kind: 'current' as const, stats: await fileStats(conn, file) };
        return { kind: 'older' as const, session: names.has('session') };
      } catch {
        return { kind: 'foreign' as const };
      }
    });
    if (seen.kind === 'foreign') {
      out.skipped.push(file);
    } else if (seen.kind === 'current') {
      catalog.record({ key, file, ...seen.stats, bytes: fs.statSync(file).size, sha256: await sha256File(file), schemaVersion: LAKE_SCHEMA_VERSION, jobId: null });
      out.registered++;
    } else {
      // rewritten whole, in the one schema; the writer's publish hook catalogues the new file
      const cols = [...BAR_COLUMNS, ...(seen.session ? ['session'] : [])].join(', ');
      await writer.writeFromQuery({ key, sql: `SELECT ${cols} FROM read_parquet(${sqlString(file)})`, withSession: seen.session, replacesUncatalogued: [file] });
      out.rewritten++;
    }
  }
  catalog.setAdopted();
  return out;
}
