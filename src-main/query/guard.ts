import { StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { MpError } from '../shared/errors';

// The first of two walls around user SQL (the second: the query instance may touch only the lake's files themselves,
// by exact path, and its configuration is locked; see service.ts). Only statements DuckDB's own parser classifies as
// SELECT are admitted. EXPLAIN is admitted only of a SELECT, and never as the user's text: `EXPLAIN ANALYZE` executes
// the statement it explains, so the explained statement is vetted alone and the EXPLAIN rebuilt around exactly it.
// Whatever runs is therefore "EXPLAIN [(options we wrote)] <one statement DuckDB calls SELECT>".

const NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(StatementType)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v as number, k]),
);

export interface ReadOnlyStatement {
  prepared: DuckDBPreparedStatement;
  /** SELECT (the text can be wrapped as a subquery) or EXPLAIN (run as prepared) */
  kind: 'select' | 'explain';
}

/** Parses and prepares exactly one statement, refusing anything that is not a read. */
export async function prepareReadOnly(conn: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  return (await vetReadOnly(conn, sql)).prepared;
}

export async function vetReadOnly(conn: DuckDBConnection, sql: string): Promise<ReadOnlyStatement> {
  const explain = splitExplain(sql);
  if (!explain) return { prepared: await prepareSelect(conn, sql), kind: 'select' };
  // The explained statement on its own must be one SELECT; only then is the EXPLAIN built around it.
  await prepareSelect(conn, explain.inner);
  const opts = [explain.analyze ? 'ANALYZE' : '', explain.format ? `FORMAT ${explain.format}` : ''].filter(Boolean);
  const rebuilt = `EXPLAIN ${opts.length ? `(${opts.join(', ')}) ` : ''}${explain.inner}`;
  const prepared = await prepareOne(conn, rebuilt);
  if (prepared.statementType !== StatementType.EXPLAIN) throw new MpError('E_READ_ONLY', readOnlyMessage(NAMES[prepared.statementType] ?? 'this'));
  return { prepared, kind: 'explain' };
}

async function prepareSelect(conn: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  // Refuse obvious writes by their keyword before DuckDB binds them (binding INSERT INTO a view, say, would fail
  // with a catalog error that hides what was really wrong).
  const keyword = firstKeyword(sql);
  if (keyword && WRITE_KEYWORDS.has(keyword)) throw new MpError('E_READ_ONLY', readOnlyMessage(keyword));
  // before binding: binding read_csv already opens the file (its sniffer), and a glob is expanded
  const tree = await parseTree(conn, sql);
  if (tree !== undefined) refuseFileAccess(tree);
  const prepared = await prepareOne(conn, sql);
  if (prepared.statementType !== StatementType.SELECT) {
    throw new MpError('E_READ_ONLY', readOnlyMessage(NAMES[prepared.statementType] ?? keyword ?? 'this'));
  }
  if (tree === undefined) throw new MpError('E_READ_ONLY', 'refused: this form of statement cannot be checked; write it as a SELECT');
  return prepared;
}

/**
 * Table functions a query may call: none of them reads a file. User SQL reads the lake through its views (bars,
 * bars_all), never by naming files: DuckDB lets a locked instance read its own spill folder (it adds temp_directory to
 * the allowed directories), so a file-reading function (read_text, read_blob, glob, read_csv, read_parquet, ...) or a
 * file named as a table (`FROM 'x.csv'`) could read what other queries spilled.
 */
const TABLE_FUNCTIONS = /^(range|generate_series|unnest|duckdb_[a-z_]+|pragma_table_info)$/;
/** a table name that DuckDB could resolve as a file (a replacement scan) */
const FILE_LIKE = /[/\\.:]/;

/** DuckDB's own parse tree of a SELECT (json_serialize_sql); undefined for what it cannot serialize (other statements). */
async function parseTree(conn: DuckDBConnection, sql: string): Promise<unknown> {
  const p = await conn.prepare('SELECT json_serialize_sql($1::VARCHAR)');
  p.bindVarchar(1, sql);
  const tree: unknown = JSON.parse(String((await p.runAndReadAll()).getRows()[0]?.[0] ?? '{"error":true}'));
  return (tree as { error?: unknown }).error === false ? tree : undefined;
}

/** Refuses a SELECT that calls a table function not in TABLE_FUNCTIONS or names a file as a table. */
function refuseFileAccess(tree: unknown): void {
  const refused: string[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    if (o.type === 'TABLE_FUNCTION') {
      const name = String((o.function as Record<string, unknown> | undefined)?.function_name ?? '').toLowerCase();
      if (!TABLE_FUNCTIONS.test(name)) refused.push(`${name}()`);
    }
    if ((o.type === 'BASE_TABLE' || o.type === 'SHOW_REF') && typeof o.table_name === 'string' && FILE_LIKE.test(o.table_name)) refused.push(`'${o.table_name}'`);
    Object.values(o).forEach(walk);
  };
  walk(tree);
  if (refused.length) {
    throw new MpError('E_READ_ONLY', `refused: queries read the lake through its views (bars, bars_all), not files; ${refused.slice(0, 3).join(', ')} is not allowed`);
  }
}

async function prepareOne(conn: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  let extracted;
  try {
    extracted = await conn.extractStatements(sql);
  } catch (e) {
    throw new MpError('E_QUERY', oneLine(e).replace(/^Failed to extract statements: /, ''));
  }
  if (extracted.count === 0) throw new MpError('E_BAD_INPUT', 'SQL is empty');
  if (extracted.count > 1) throw new MpError('E_BAD_INPUT', `give one statement at a time (found ${extracted.count})`);
  try {
    return await extracted.prepare(0);
  } catch (e) {
    const msg = oneLine(e);
    if (/permission|disabled by configuration/i.test(msg)) throw new MpError('E_READ_ONLY', `refused: ${msg}`);
    throw new MpError('E_QUERY', msg);
  }
}

const WRITE_KEYWORDS = new Set(
  'INSERT UPDATE DELETE MERGE TRUNCATE CREATE DROP ALTER COPY ATTACH DETACH INSTALL LOAD FORCE SET RESET PRAGMA EXPORT IMPORT CALL CHECKPOINT VACUUM USE BEGIN START COMMIT END ROLLBACK ABORT PREPARE EXECUTE DEALLOCATE ANALYZE UPDATE_EXTENSIONS'.split(' '),
);

function readOnlyMessage(kind: string): string {
  return `refused: queries are read-only; ${kind} statements are not allowed (only SELECT, WITH … SELECT and EXPLAIN [ANALYZE] of a SELECT)`;
}

// whitespace and comments (line comments, and block comments as PostgreSQL's grammar nests them)
const GAP = /^(?:\s+|--[^\n]*(?:\n|$))/;

/** Skips whitespace and comments (nested block comments too); returns the rest. */
function skipGap(s: string): string {
  for (;;) {
    const m = GAP.exec(s);
    if (m) {
      s = s.slice(m[0].length);
      continue;
    }
    if (!s.startsWith('/*')) return s;
    let depth = 0;
    let i = 0;
    for (; i < s.length; i++) {
      if (s.startsWith('/*', i)) {
        depth++;
        i++;
      } else if (s.startsWith('*/', i)) {
        depth--;
        i++;
        if (depth === 0) break;
      }
    }
    s = s.slice(i + 1);
  }
}

const EXPLAIN_FORMATS = new Set(['TEXT', 'JSON', 'HTML', 'GRAPHVIZ', 'YAML']);

/**
 * `EXPLAIN [ANALYZE] stmt` or `EXPLAIN (opt, …) stmt` split into its parts; undefined when the text does not start with
 * EXPLAIN. Options we do not know are refused. A wrong split can only make the explained statement fail to parse or
 * not be a SELECT: what runs is rebuilt from the parts, never the user's prefix.
 */
export function splitExplain(sql: string): { analyze: boolean; format?: string; inner: string } | undefined {
  let s = skipGap(sql);
  const word = () => /^[A-Za-z_]+/.exec(s)?.[0]?.toUpperCase();
  if (word() !== 'EXPLAIN') return undefined;
  s = skipGap(s.slice('EXPLAIN'.length));
  let analyze = false;
  let format: string | undefined;
  const w = word();
  if (w === 'ANALYZE' || w === 'ANALYSE') {
    analyze = true;
    s = s.slice(w.length);
  } else if (s.startsWith('(')) {
    const close = s.indexOf(')');
    if (close < 0) throw new MpError('E_BAD_INPUT', 'EXPLAIN options: missing ")"');
    for (const raw of s.slice(1, close).split(',')) {
      const parts = raw.trim().split(/\s+/).map((p) => p.toUpperCase());
      if (parts.length === 1 && (parts[0] === 'ANALYZE' || parts[0] === 'ANALYSE')) analyze = true;
      else if (parts.length === 2 && parts[0] === 'FORMAT' && EXPLAIN_FORMATS.has(parts[1]!)) format = parts[1];
      else throw new MpError('E_BAD_INPUT', `EXPLAIN option "${raw.trim().slice(0, 40)}" is not supported (ANALYZE, FORMAT text|json|html|graphviz|yaml)`);
    }
    s = s.slice(close + 1);
  }
  return { analyze, format, inner: s };
}

/** The statement's first keyword, past comments and parentheses. */
export function firstKeyword(sql: string): string | undefined {
  let s = skipGap(sql);
  while (s.startsWith('(')) s = skipGap(s.slice(1));
  return /^[A-Za-z_]+/.exec(s)?.[0]?.toUpperCase();
}

export function oneLine(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.replace(/\s*\n\s*/g, ' ').trim().slice(0, 500);
}
