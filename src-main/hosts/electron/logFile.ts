import fs from 'node:fs';
import path from 'node:path';

// The desktop app's log: JSON lines (the same pino records the CLI writes to stderr, already redacted by the logger)
// in <data dir>/logs/marketpipe.log, rotated by size so a user can attach the whole folder to a bug report.

export const LOG_DIR_NAME = 'logs';
export const LOG_FILE_NAME = 'marketpipe.log';

export interface RotatingLogOptions {
  /** rotate when the current file would grow past this many bytes */
  maxBytes?: number;
  /** how many rotated files to keep beside the current one (marketpipe.1.log is the newest) */
  keep?: number;
}

export function logFilePath(dataDir: string): string {
  return path.join(dataDir, LOG_DIR_NAME, LOG_FILE_NAME);
}

/** marketpipe.log -> marketpipe.<n>.log */
export function rotatedName(file: string, n: number): string {
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)}.${n}${ext}`;
}

/**
 * Appends lines synchronously (a crash must not lose the last lines before it); when a line would take the file past
 * maxBytes, the files shift by one (the oldest is dropped) and a new file starts. A write that fails (disk full, folder
 * removed) is dropped rather than crashing the app: the log is for diagnosis, not a record the app depends on.
 */
export class RotatingLogFile {
  private readonly maxBytes: number;
  private readonly keep: number;
  private size: number;

  constructor(
    readonly file: string,
    opts: RotatingLogOptions = {},
  ) {
    this.maxBytes = opts.maxBytes ?? 5 * 1024 * 1024;
    this.keep = opts.keep ?? 3;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.size = fs.existsSync(file) ? fs.statSync(file).size : 0;
  }

  write(line: string): void {
    const bytes = Buffer.byteLength(line);
    try {
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      fs.appendFileSync(this.file, line);
      this.size += bytes;
    } catch {
      // dropped: see the class comment
    }
  }

  /** The current file and the rotated ones that exist, newest first. */
  files(): string[] {
    return [this.file, ...Array.from({ length: this.keep }, (_, i) => rotatedName(this.file, i + 1))].filter((f) => fs.existsSync(f));
  }

  private rotate(): void {
    fs.rmSync(rotatedName(this.file, this.keep), { force: true });
    for (let n = this.keep - 1; n >= 1; n--) {
      const from = rotatedName(this.file, n);
      if (fs.existsSync(from)) fs.renameSync(from, rotatedName(this.file, n + 1));
    }
    if (this.keep >= 1) fs.renameSync(this.file, rotatedName(this.file, 1));
    else fs.rmSync(this.file, { force: true });
    this.size = 0;
  }
}
