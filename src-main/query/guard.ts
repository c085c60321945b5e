import { StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { MpError } from '../shared/errors';

// Statement types a read-only query may be. Everything else (COPY, CREATE, INSERT, ATTACH, INSTALL, LOAD, SET, PRAGMA,
// EXPORT, CALL …) is refused before it runs. The connection is also locked down (see service.ts), so this guard is
// one of two walls, not the only one.
const ALLOWED = new Set<StatementType>([StatementType.SELECT, StatementType.EXPLAIN]);

const NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(StatementType)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v as number, k]),
);

/** Parses and prepares exactly one statement, refusing anything that is not a read. */
export async function prepareReadOnly(conn: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  let extracted;
  try {
    extracted = await conn.extractStatements(sql);
  } catch (e) {
    throw new MpError('E_QUERY', oneLine(e));
  }
  if (extracted.count === 0) throw new MpError('E_BAD_INPUT', 'SQL is empty');
  if (extracted.count > 1) throw new MpError('E_BAD_INPUT', `give one statement at a time (found ${extracted.count})`);
  let prepared: DuckDBPreparedStatement;
  try {
    prepared = await extracted.prepare(0);
  } catch (e) {
    const msg = oneLine(e);
    // Preparing a write on the locked connection can fail before we see its type; report it as what it is.
    if (/read-only|disabled|external access|lock_configuration|permission/i.test(msg)) throw new MpError('E_READ_ONLY', `refused: ${msg}`);
    throw new MpError('E_QUERY', msg);
  }
  if (!ALLOWED.has(prepared.statementType)) {
    const kind = NAMES[prepared.statementType] ?? 'unknown';
    throw new MpError('E_READ_ONLY', `refused: queries are read-only (this is a ${kind} statement; only SELECT, WITH … SELECT and EXPLAIN run)`);
  }
  return prepared;
}

export function oneLine(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.replace(/\s*\n\s*/g, ' ').trim().slice(0, 500);
}
