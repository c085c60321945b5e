import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ExportFormat, QueryExportResult, QueryOpenResult, SchemaView, SnapshotView } from '../contract/query';
import type { Snapshot } from '../lake/catalog';
import { MpError, toErrorValue } from '../shared/errors';
import { pidAlive } from '../shared/process';
import type { QueryClient, RemoteResults } from './client';
import { WorkbenchStore } from './workbenchStore';

/** The desktop host's save dialog: resolves with the absolute path the user chose, or null when they cancelled. */
export type ExportPathChooser = (o: { defaultName: string; format: ExportFormat }) => Promise<string | null>;

export interface Download {
  file: string;
  filename: string;
  contentType: string;
  bytes: number;
  /** deletes the temp file; call once the response is finished (or failed) */
  release(): void;
}

const EXT: Record<ExportFormat, string> = { csv: '.csv', parquet: '.parquet' };
const CONTENT_TYPE: Record<ExportFormat, string> = { csv: 'text/csv; charset=utf-8', parquet: 'application/vnd.apache.parquet' };
/** An export nobody downloads is deleted after this long. */
const DOWNLOAD_TTL_MS = 10 * 60_000;

/**
 * The query workbench: open results (paged, sorted, cancelled, exported), history and saved queries. Exports are
 * written by DuckDB into this process's own temp folder (`<data>/tmp/exports/<pid>-<random>`, the only folder besides
 * the lake the query DuckDB may write to), then moved to the place the user chose or handed out once as a download.
 */
export class Workbench {
  readonly results: RemoteResults;
  readonly store: WorkbenchStore;
  private readonly downloads = new Map<string, { download: Download; timer: NodeJS.Timeout }>();
  private readonly dir: string;

  constructor(
    private readonly svc: QueryClient,
    db: Database.Database,
    exportRoot: string,
    private readonly chooseExportPath?: ExportPathChooser,
  ) {
    this.results = svc.results;
    this.store = new WorkbenchStore(db);
    sweepDeadExportDirs(exportRoot);
    this.dir = path.join(exportRoot, `${process.pid}-${randomBytes(4).toString('hex')}`);
  }

  /**
   * Runs the statement, records it in the history (failures too), answers with the first page. `timeoutMs`: stopped
   * after that long (0: never). `asOf`: a job id or an ISO time, resolved as `query --as-of` resolves it; the query then
   * reads exactly that snapshot's files. A snapshot that cannot be read is bad input: nothing runs, nothing is recorded.
   */
  async open(sql: string, queryId: string | undefined, limit: number, timeoutMs = 0, asOf?: string): Promise<QueryOpenResult> {
    const id = queryId ?? randomUUID();
    const at = asOf === undefined ? undefined : this.svc.asOf(asOf, 'As of');
    try {
      const opened = await this.results.open(sql, id, timeoutMs, at?.files);
      this.store.record({ sql, rowCount: opened.rowCount, elapsedMs: opened.elapsedMs, errorCode: null });
      const first = await this.results.page(id, 0, limit);
      return { ...opened, first, ...(at ? { snapshot: snapshotView(at.snapshot) } : {}) };
    } catch (e) {
      this.store.record({ sql, rowCount: null, elapsedMs: null, errorCode: toErrorValue(e).code });
      throw e;
    }
  }

  schema(): Promise<SchemaView[]> {
    return this.svc.schema();
  }

  /** The readable snapshots (the Query page's "as of" list), newest first, and the oldest one retained. */
  snapshots(limit: number): { snapshots: SnapshotView[]; oldest: SnapshotView } {
    const { snapshots, oldest } = this.svc.snapshots(limit);
    return { snapshots: snapshots.map(snapshotView), oldest: snapshotView(oldest) };
  }

  async export(queryId: string, format: ExportFormat): Promise<QueryExportResult> {
    if (!(await this.results.isOpen(queryId))) throw new MpError('E_NOT_FOUND', `no open result ${queryId}: run the query again`);
    const filename = `query-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}${EXT[format]}`;
    let dest: string | null = null;
    if (this.chooseExportPath) {
      dest = await this.chooseExportPath({ defaultName: filename, format });
      if (!dest) return { status: 'cancelled' };
      if (!path.isAbsolute(dest)) throw new MpError('E_BAD_INPUT', `export path must be absolute: ${dest}`);
      if (!path.extname(dest)) dest += EXT[format];
    }
    fs.mkdirSync(this.dir, { recursive: true });
    const id = randomUUID();
    const tmp = path.join(this.dir, `${id}${EXT[format]}`);
    try {
      const { rows } = await this.results.exportTo(queryId, format, tmp);
      const bytes = fs.statSync(tmp).size;
      if (dest) {
        publish(tmp, dest);
        return { status: 'saved', path: dest, bytes, rows };
      }
      const release = () => fs.rmSync(tmp, { force: true });
      const timer = setTimeout(() => this.takeDownload(id)?.release(), DOWNLOAD_TTL_MS);
      timer.unref();
      this.downloads.set(id, { download: { file: tmp, filename, contentType: CONTENT_TYPE[format], bytes, release }, timer });
      return { status: 'download', url: `/download/${id}`, filename, bytes, rows };
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
  }

  /** A download can be taken once: the id is then forgotten, and its file deleted on release(). */
  takeDownload(id: string): Download | undefined {
    const d = this.downloads.get(id);
    if (!d) return undefined;
    this.downloads.delete(id);
    clearTimeout(d.timer);
    return d.download;
  }

  async close(): Promise<void> {
    for (const id of [...this.downloads.keys()]) this.takeDownload(id)?.release();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function snapshotView(s: Snapshot): SnapshotView {
  return { id: s.id, at: s.at, jobId: s.jobId, kind: s.kind };
}

/**
 * Moves the finished file into the chosen folder under a temp name, then renames it over the chosen name: the chosen
 * path holds either its old content or the complete export, and nothing lands anywhere else.
 */
function publish(tmp: string, dest: string): void {
  const dir = path.dirname(dest);
  if (!fs.existsSync(dir)) throw new MpError('E_IO', `folder does not exist: ${dir}`);
  const staged = path.join(dir, `.${path.basename(dest)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    try {
      fs.renameSync(tmp, staged);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      fs.copyFileSync(tmp, staged);
    }
    fs.renameSync(staged, dest);
  } catch (e) {
    fs.rmSync(staged, { force: true });
    throw new MpError('E_IO', `cannot write ${dest}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Export folders of processes that died (crash, kill -9) are leftovers: remove them. */
function sweepDeadExportDirs(root: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return;
  }
  for (const n of names) {
    const pid = Number(/^(\d+)-/.exec(n)?.[1]);
    if (pid && !pidAlive(pid)) fs.rmSync(path.join(root, n), { recursive: true, force: true });
  }
}
