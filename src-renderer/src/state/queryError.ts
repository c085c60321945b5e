/**
 * A DuckDB error as the engine sends it (on one line: "Parser Error: syntax error at or near "x" LINE 1: SELECT 1 FRM x ^")
 * laid out again on its lines, with the position it points at located in the SQL that ran: the token it names on the
 * line it names, else the whole line.
 */
export interface QueryErrorLayout {
  /** the message without the LINE part */
  head: string;
  /** "LINE 1: SELECT 1 FRM x" as DuckDB echoed it, or null */
  line: string | null;
  /** spaces and a caret under the token in `line`, or null when the token is not found there */
  caret: string | null;
  /** the marked range in the SQL that ran (character offsets), or null */
  range: { from: number; to: number } | null;
}

const LINE_PART = /\s*\bLINE (\d+):\s?(.*?)\s*\^?\s*$/s;

/** The name an error is about: the syntax error's token, a missing column, table or function. */
function tokenOf(head: string): string | null {
  const patterns = [
    /at or near "([^"]+)"/,
    /Referenced column "([^"]+)"/,
    /Table with name ([^\s!]+) does not exist/,
    /Scalar Function with name ([^\s!]+) does not exist/,
    /Function with name ([^\s!]+) does not exist/,
    /column "([^"]+)"/i,
  ];
  for (const p of patterns) {
    const m = p.exec(head);
    if (m) return m[1]!;
  }
  return null;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Where `token` stands in `text` as a whole word (case-insensitive); -1 when not. */
function findWord(text: string, token: string): number {
  const re = new RegExp(`(^|[^A-Za-z0-9_])(${escapeRe(token)})(?![A-Za-z0-9_])`, 'i');
  const m = re.exec(text);
  return m ? m.index + m[1]!.length : -1;
}

export function layoutQueryError(message: string, sql: string): QueryErrorLayout {
  const m = LINE_PART.exec(message);
  if (!m) return { head: message, line: null, caret: null, range: null };
  const head = message.slice(0, m.index).trim();
  const lineNo = Number(m[1]);
  const snippet = m[2] ?? '';
  const lines = sql.split('\n');
  const lineLabel = `LINE ${lineNo}: `;
  if (lineNo < 1 || lineNo > lines.length) return { head, line: `${lineLabel}${snippet}`, caret: null, range: null };
  let lineStart = 0;
  for (let i = 0; i < lineNo - 1; i++) lineStart += lines[i]!.length + 1;
  const text = lines[lineNo - 1]!;
  const token = tokenOf(head);
  const at = token ? findWord(text, token) : -1;
  const inSnippet = token ? findWord(snippet, token) : -1;
  const caret = inSnippet >= 0 ? `${' '.repeat(lineLabel.length + inSnippet)}${'^'.repeat(Math.max(1, Math.min(token!.length, 40)))}` : null;
  // the whole line (its text without leading blanks) when the token is not found on it
  const lead = text.length - text.trimStart().length;
  const range = at >= 0 ? { from: lineStart + at, to: lineStart + at + token!.length } : { from: lineStart + lead, to: lineStart + Math.max(lead, text.trimEnd().length) };
  return { head, line: `${lineLabel}${snippet}`, caret, range: range.to > range.from ? range : { from: lineStart, to: lineStart + text.length } };
}
