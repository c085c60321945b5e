import fs from 'node:fs';
import path from 'node:path';
import { SYMBOL_RE } from '../../contract/schemas';
import { MpError } from '../../shared/errors';

/** One CSV file of a source, with what identifies its content for the parse cache. */
export interface SourceFile {
  path: string;
  /** base name, used in messages */
  name: string;
  size: number;
  mtimeMs: number;
}

export interface ResolvedSource {
  /** the --source as resolved against the working directory */
  root: string;
  /** true when --source names one file (then --symbols may name its symbol) */
  single: boolean;
  files: SourceFile[];
}

export function bad(message: string): MpError {
  return new MpError('E_BAD_INPUT', `csv: ${message}`);
}

function stampOf(p: string): SourceFile {
  const st = fs.statSync(p);
  return { path: p, name: path.basename(p), size: st.size, mtimeMs: st.mtimeMs };
}

/** The file, or every *.csv directly in the folder (not recursive), sorted by name so the order is stable. */
export function resolveSource(source: string | undefined): ResolvedSource {
  if (source === undefined || source.trim() === '') throw bad('--source is required (a bars CSV file or a folder of them)');
  const root = path.resolve(source);
  let st: fs.Stats;
  try {
    st = fs.statSync(root);
  } catch {
    throw bad(`no such file or folder: ${source}`);
  }
  if (st.isFile()) return { root, single: true, files: [stampOf(root)] };
  if (!st.isDirectory()) throw bad(`${source} is neither a file nor a folder`);
  const names = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.name.toLowerCase().endsWith('.csv'))
    .map((d) => d.name)
    // plain code-unit order, not locale order: the same folder must give the same order (and the same "last wins") everywhere
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const files = names.map((n) => path.join(root, n)).filter((p) => fs.statSync(p).isFile());
  if (files.length === 0) throw bad(`no *.csv files in ${source}`);
  return { root, single: false, files: files.map(stampOf) };
}

/** DBB_1min.csv -> DBB: the name up to the first '_', '-' or '.', upper-cased, if that is a valid symbol. */
export function symbolFromFileName(name: string): string | null {
  const stem = (name.split(/[_.-]/)[0] ?? '').trim().toUpperCase();
  return SYMBOL_RE.test(stem) ? stem : null;
}

/** What the parse of a source depends on: the files (by content stamp) and the zone of offset-less timestamps. */
export function sourceKey(src: ResolvedSource, tz: string): string {
  return JSON.stringify([tz, src.root, src.single, src.files.map((f) => [f.path, f.size, f.mtimeMs])]);
}

/** Refuses binary files before DuckDB sees them: its message for those ("invalid unicode") would point nowhere useful. */
export function assertText(file: SourceFile): void {
  const fd = fs.openSync(file.path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(65_536, file.size));
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const nul = buf.subarray(0, n).indexOf(0);
    if (nul >= 0) throw bad(`${file.name} is not a text CSV file (binary bytes near byte ${nul})`);
  } finally {
    fs.closeSync(fd);
  }
}
