import fs from 'node:fs';
import path from 'node:path';
import type { Cell } from '../../contract/schemas';
import { MpError } from '../../shared/errors';
import { csvRows } from './csvRows';

export interface Out {
  write(s: string): void | Promise<void>;
  end(): Promise<void>;
  /** Gives up: a file output leaves nothing behind. */
  abort(): void;
}

export function stdoutSink(stream: NodeJS.WritableStream): Out {
  return {
    write: (s) =>
      new Promise<void>((resolve, reject) => {
        // honour back-pressure so piping a million rows into `head` or a slow disk does not buffer them all
        if (stream.write(s)) resolve();
        else {
          stream.once('drain', resolve);
          stream.once('error', reject);
        }
      }),
    end: async () => undefined,
    abort: () => undefined,
  };
}

/** Writes to FILE through a temp name in the same folder, renamed into place only when complete. */
export function fileSink(file: string): Out {
  const abs = path.resolve(file);
  if (!fs.existsSync(path.dirname(abs))) throw new MpError('E_BAD_INPUT', `--output: folder ${path.dirname(abs)} does not exist`);
  if (fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory()) throw new MpError('E_BAD_INPUT', `--output: ${file} is a folder: give a file name, e.g. ${path.join(file, 'result.csv')}`);
  const tmp = `${abs}.${process.pid}.partial`;
  const fd = fs.openSync(tmp, 'w');
  return {
    write: (s) => {
      fs.writeSync(fd, s);
    },
    end: async () => {
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fs.renameSync(tmp, abs);
    },
    abort: () => {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed by end()
      }
      fs.rmSync(tmp, { force: true });
    },
  };
}

export type Format = 'table' | 'csv' | 'json';

export interface RowWriter {
  columns(cols: { name: string; type: string }[]): Promise<void>;
  rows(rows: Cell[][]): Promise<void>;
  finish(): Promise<void>;
}

const cellText = (c: Cell): string => (c === null ? '' : String(c));

export function rowWriter(format: Format, out: Out): RowWriter {
  let names: string[] = [];
  if (format === 'csv') {
    return {
      async columns(cols) {
        names = cols.map((c) => c.name);
        await out.write(csvRows([names]));
      },
      async rows(rows) {
        await out.write(csvRows(rows.map((r) => r.map(cellText))));
      },
      finish: () => out.end(),
    };
  }
  if (format === 'json') {
    let first = true;
    return {
      async columns(cols) {
        names = cols.map((c) => c.name);
        await out.write('[');
      },
      async rows(rows) {
        let s = '';
        for (const r of rows) {
          const o: Record<string, Cell> = {};
          names.forEach((n, i) => (o[n] = r[i] ?? null));
          s += (first ? '\n' : ',\n') + JSON.stringify(o);
          first = false;
        }
        await out.write(s);
      },
      async finish() {
        await out.write(first ? ']\n' : '\n]\n');
        await out.end();
      },
    };
  }
  // table: aligned columns; widths from the rows seen (kept in memory: a table is for reading, CSV for volume)
  const buffered: Cell[][] = [];
  return {
    async columns(cols) {
      names = cols.map((c) => c.name);
    },
    async rows(rows) {
      buffered.push(...rows);
    },
    async finish() {
      const MAX = 40;
      const text = buffered.map((r) => r.map((c) => cellText(c)));
      const widths = names.map((n, i) => Math.min(MAX, Math.max(n.length, ...text.map((r) => (r[i] ?? '').length))));
      const fmt = (cells: string[]) =>
        cells
          .map((c, i) => {
            const w = widths[i]!;
            const t = c.length > w ? c.slice(0, w - 1) + '…' : c;
            const numeric = typeof buffered[0]?.[i] === 'number';
            return numeric ? t.padStart(w) : t.padEnd(w);
          })
          .join('  ')
          .trimEnd();
      let s = fmt(names) + '\n' + widths.map((w) => '-'.repeat(w)).join('  ') + '\n';
      for (const r of text) s += fmt(r) + '\n';
      s += `(${buffered.length} row${buffered.length === 1 ? '' : 's'})\n`;
      await out.write(s);
      await out.end();
    },
  };
}
