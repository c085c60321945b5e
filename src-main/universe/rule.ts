import { SYMBOL_RE } from '../contract/schemas';
import type { QueryService } from '../query/service';
import { firstKeyword } from '../query/guard';
import { MpError } from '../shared/errors';

// Dynamic universes. A rule is either
//  - a boolean SQL predicate over one row per symbol of `symbols` (below), e.g. `adv20 > 1000000 AND sessions >= 20`;
//  - or a whole read-only query whose `symbol` column lists the members, e.g. `SELECT symbol FROM bars WHERE …`.
// Either way it runs through the read-only query service (statement guard + locked-down DuckDB), so a rule can read
// the lake and nothing else, and can never write.

export const MAX_RULE_LENGTH = 10_000;
export const MAX_RULE_SYMBOLS = 10_000;
const RULE_TIMEOUT_MS = 60_000;

/**
 * The per-symbol summary a predicate sees: daily figures built from the 1-minute bars of the `bars` view (the
 * preferred source of each symbol), sessions being New York calendar dates.
 */
export const SUMMARY_COLUMNS = [
  { name: 'symbol', doc: 'the symbol' },
  { name: 'sessions', doc: 'sessions held' },
  { name: 'first_session', doc: 'first session held (DATE)' },
  { name: 'last_session', doc: 'last session held (DATE)' },
  { name: 'last_close', doc: 'close of the last session' },
  { name: 'adv20', doc: 'average daily volume over the last 20 sessions held' },
  { name: 'dollar_volume20', doc: 'average daily close × volume over the last 20 sessions held' },
  { name: 'adv', doc: 'average daily volume over every session held' },
  { name: 'return20', doc: 'last close / close 20 sessions earlier − 1 (NULL with fewer sessions)' },
] as const;

const SUMMARY_CTE = `WITH daily AS (
  SELECT symbol, CAST(timezone('America/New_York', ts) AS DATE) AS session, sum(volume) AS volume, arg_max(close, ts) AS close
  FROM bars WHERE timeframe = '1m' GROUP BY ALL
), ranked AS (
  SELECT *, row_number() OVER (PARTITION BY symbol ORDER BY session DESC) AS n FROM daily
), symbols AS (
  SELECT symbol, count(*) AS sessions, min(session) AS first_session, max(session) AS last_session,
    max(close) FILTER (WHERE n = 1) AS last_close,
    avg(volume) FILTER (WHERE n <= 20) AS adv20,
    avg(volume * close) FILTER (WHERE n <= 20) AS dollar_volume20,
    avg(volume) AS adv,
    max(close) FILTER (WHERE n = 1) / max(close) FILTER (WHERE n = 21) - 1 AS return20
  FROM ranked GROUP BY symbol
)`;

export type RuleKind = 'predicate' | 'query';

/** Trailing semicolons and blanks are tolerated (people paste statements); anything else is the rule's own. */
export function normalizeRule(rule: string): string {
  const r = rule.replace(/[\s;]+$/, '').trim();
  if (!r) throw new MpError('E_BAD_INPUT', 'rule: give a SQL predicate (e.g. adv20 > 1000000) or a SELECT returning a symbol column');
  if (r.length > MAX_RULE_LENGTH) throw new MpError('E_BAD_INPUT', `rule: longer than ${MAX_RULE_LENGTH} characters`);
  return r;
}

export function ruleKind(rule: string): RuleKind {
  const k = firstKeyword(rule);
  return k === 'SELECT' || k === 'WITH' || k === 'FROM' ? 'query' : 'predicate';
}

/**
 * The one statement a rule becomes. The rule sits on lines of its own so a trailing `--` comment cannot swallow the
 * wrapper's closing parenthesis silently (it fails to parse instead).
 */
export function ruleSql(rule: string): string {
  const r = normalizeRule(rule);
  if (ruleKind(r) === 'query') {
    return `SELECT DISTINCT CAST(symbol AS VARCHAR) AS symbol FROM (\n${r}\n) AS rule_result WHERE symbol IS NOT NULL ORDER BY 1`;
  }
  return `${SUMMARY_CTE}\nSELECT symbol FROM symbols WHERE (\n${r}\n) ORDER BY symbol`;
}

export interface RuleMatch {
  kind: RuleKind;
  symbols: string[];
  /** values the rule returned that are not symbols (first few), left out of `symbols` */
  ignored: string[];
  elapsedMs: number;
}

/** Runs a rule; every way it can be wrong (syntax, a write, no symbol column, too many rows) is E_BAD_INPUT. */
export async function evaluateRule(query: QueryService, rule: string): Promise<RuleMatch> {
  const sql = ruleSql(rule);
  let result;
  try {
    result = await query.run({ sql, maxRows: MAX_RULE_SYMBOLS, timeoutMs: RULE_TIMEOUT_MS });
  } catch (e) {
    if (!(e instanceof MpError) || e.code === 'E_INTERNAL') throw e;
    const hint = /"symbol" not found|column "?symbol"?/i.test(e.message) && ruleKind(rule) === 'query' ? ' (a query rule must return a symbol column)' : '';
    throw new MpError('E_BAD_INPUT', `rule: ${e.message}${hint}`);
  }
  if (result.truncated) throw new MpError('E_BAD_INPUT', `rule: matches more than ${MAX_RULE_SYMBOLS} symbols; narrow it`);
  const symbols: string[] = [];
  const ignored: string[] = [];
  for (const row of result.rows) {
    const v = row[0];
    const s = typeof v === 'string' ? v.trim().toUpperCase() : String(v);
    if (SYMBOL_RE.test(s)) {
      if (!symbols.includes(s)) symbols.push(s);
    } else if (ignored.length < 10) ignored.push(s);
  }
  return { kind: ruleKind(rule), symbols, ignored, elapsedMs: result.elapsedMs };
}
