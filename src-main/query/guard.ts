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
    throw new MpError('E_QUERY', oneLine(e).replace(/^Failed to extract statements: /, ''));
  }
  if (extracted.count === 0) throw new MpError('E_BAD_INPUT', 'SQL is empty');
  if (extracted.count > 1) throw new MpError('E_BAD_INPUT', `give one statement at a time (found ${extracted.count})`);
  // Refuse obvious writes by their keyword before DuckDB binds them (binding INSERT INTO a view, say, would fail
  // with a catalog error that hides what was really wrong).
  const keyword = firstKeyword(sql);
  if (keyword && WRITE_KEYWORDS.has(keyword)) throw new MpError('E_READ_ONLY', readOnlyMessage(keyword));
  let prepared: DuckDBPreparedStatement;
  try {
    prepared = await extracted.prepare(0);
  } catch (e) {
    const msg = oneLine(e);
    if (/permission|disabled by configuration/i.test(msg)) throw new MpError('E_READ_ONLY', `refused: ${msg}`);
    throw new MpError('E_QUERY', msg);
  }
  if (!ALLOWED.has(prepared.statementType)) {
    throw new MpError('E_READ_ONLY', readOnlyMessage(NAMES[prepared.statementType] ?? firstKeyword(sql) ?? 'this'));
  }
  return prepared;
}

const WRITE_KEYWORDS = new Set(
  'INSERT UPDATE DELETE MERGE TRUNCATE CREATE DROP ALTER COPY ATTACH DETACH INSTALL LOAD FORCE SET RESET PRAGMA EXPORT IMPORT CALL CHECKPOINT VACUUM USE BEGIN START COMMIT END ROLLBACK ABORT PREPARE EXECUTE DEALLOCATE ANALYZE UPDATE_EXTENSIONS'.split(' '),
);

function readOnlyMessage(kind: string): string {
  return `refused: queries are read-only; ${kind} statements are not allowed (only SELECT, WITH … SELECT and EXPLAIN)`;
}

/** The statement's first keyword, past comments and parentheses. */
export function firstKeyword(sql: string): string | undefined {
  const m = /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*([A-Za-z_]+)/.exec(sql);
  return m?.[1]?.toUpperCase();
}

export function oneLine(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.replace(/\s*\n\s*/g, ' ').trim().slice(0, 500);
}
