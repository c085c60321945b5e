import fs from 'node:fs/promises';
import { firstLine } from '../../shared/errors';

/**
 * A one-line reason for a structural error of DuckDB's CSV reader, with the line it names ("CSV Error on Line: 17",
 * exact also when the file was read in parallel; it counts empty lines, but not line breaks inside quoted fields,
 * which bars files do not have).
 */
export function describeReaderError(message: string): { line: number | null; reason: string } {
  const m = /CSV Error on Line: (\d+)/.exec(message);
  const line = m ? Number(m[1]) : null;
  const cols = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if (cols) return { line, reason: `expected ${cols[1]} fields as in the header, found ${cols[2]}` };
  // the reader's options ("quote = \" (Set By User)", …) follow the reason: they must not be taken for it
  const said = message
    .split('\n')
    .filter((l) => !/^\s*[a-z_ ]+ = /.test(l))
    .join('\n');
  if (/maximum line size/i.test(said)) return { line, reason: 'the line is too long for a bars CSV' };
  if (/unterminated quote/i.test(said)) return { line, reason: 'a quoted field is never closed (unbalanced ")' };
  if (/unicode|utf-?8/i.test(said)) return { line, reason: 'not UTF-8 text' };
  if (/quote/i.test(said)) return { line, reason: 'a quote (") inside an unquoted field' };
  // Unknown wording: the first line of DuckDB's message after its "Original Line" echo, which is the reason.
  const lines = message.split('\n').map((l) => l.trim());
  const orig = lines.findIndex((l) => l.startsWith('Original Line'));
  const reason = orig >= 0 ? lines.slice(orig + 1).find((l) => l !== '' && !l.startsWith('Possible')) : undefined;
  return { line, reason: firstLine(reason ?? message.replace(/^.*?Error:\s*/, '')) };
}

/**
 * The physical line (1-based) on which record `index` starts (record 0 is the header). DuckDB reports a value's row,
 * not its line; the two differ where the reader skipped empty lines or a quoted field spans lines, so they are counted
 * here the same way: '"' toggles quoting (a doubled "" toggles twice), a newline outside quotes ends a record, and a
 * record with nothing on it but '\r' is an empty line. Only runs on the error path, but a bad row near the end of a
 * large file means reading all of it: a MiB per read, each read awaited, so no more than a MiB is scanned per turn of
 * the event loop.
 */
export async function lineOfRecord(file: string, index: number): Promise<number | null> {
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let line = 1;
    let record = 0;
    let recordStartLine = 1;
    let empty = true;
    let quoted = false;
    for (;;) {
      const { bytesRead: n } = await fh.read(buf, 0, buf.length, null);
      if (n === 0) return !empty && record === index ? recordStartLine : null;
      for (let i = 0; i < n; i++) {
        const b = buf[i]!;
        if (b === 0x22) quoted = !quoted;
        if (b === 0x0a) {
          if (!quoted) {
            if (!empty) {
              if (record === index) return recordStartLine;
              record++;
            }
            empty = true;
          }
          line++;
          continue;
        }
        if (empty && b !== 0x0d) {
          empty = false;
          recordStartLine = line;
        }
      }
    }
  } finally {
    await fh.close();
  }
}
