import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Cell } from '../contract/schemas';
import type { Column } from '../contract/query';
import { MpError } from '../shared/errors';
import { FromHostSchema, HOST_CONFIG_ENV, RESULTS, type Call, type HostConfig, type ResultOf, type ToHost } from './protocol';
import { GRACE_MS, SAMPLE_MS, memoryDetail, stopError, type StopReason } from './limits';
import type { FileSet } from './service';

// The engine's side of the query process (host.ts): starts it on first use, hands it calls, and stops it for certain
// when a query must end: past its timeout or on cancel, DuckDB's interrupt is tried first and the process is ended
// if the statement has not stopped GRACE_MS later (a string builder such as repeat() cannot be interrupted); past the
// memory ceiling it is ended at once. Ending it fails every call in flight and loses the open results; the next call
// starts a new process.

export { GRACE_MS, SAMPLE_MS, formatSeconds } from './limits';

/** A started query process, as the engine sees it (a Node child process, or Electron's utility process). */
export interface QueryChild {
  readonly pid: number | undefined;
  send(m: ToHost): void;
  kill(): void;
  onMessage(cb: (m: unknown) => void): void;
  onExit(cb: (code: number | null) => void): void;
}

/** The script the query process runs, and the runtime flags it needs. */
export interface HostScript {
  file: string;
  execArgv: string[];
}

/** Starts the query process. The desktop host passes one backed by Electron's utilityProcess (hosts/electron). */
export type QueryLauncher = (script: HostScript, env: Record<string, string>) => QueryChild;

/**
 * The query process's script: `queryHost.js` beside the bundle (electron-vite builds it as its own entry); from the
 * source tree (tests), host.ts bundled once (devHost.ts).
 */
export async function hostScript(): Promise<HostScript> {
  for (const f of [path.join(__dirname, 'queryHost.js'), path.join(__dirname, '..', 'queryHost.js')]) {
    if (fs.existsSync(f)) return { file: f, execArgv: [] };
  }
  const { devHostScript } = await import('./devHost');
  return { file: await devHostScript(), execArgv: [] };
}

/** `child_process.fork` with this runtime (Node; Electron in development, where ELECTRON_RUN_AS_NODE is honoured). */
export const forkLauncher: QueryLauncher = (script, env) => {
  const cp = fork(script.file, [], {
    execArgv: [...script.execArgv, '--max-old-space-size=1024'],
    env: { ...env, ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}) },
    // stdout is the CLI's output: the query process never writes there
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return {
    pid: cp.pid,
    send: (m) => void (cp.connected && cp.send(m)),
    kill: () => void cp.kill('SIGKILL'),
    onMessage: (cb) => void cp.on('message', cb),
    onExit: (cb) => void cp.on('exit', (code) => cb(code)),
  };
};

export interface QueryProcessOptions {
  config: HostConfig;
  /** the lake files the views read, asked before each call */
  files: () => FileSet;
  /** the ceiling on the query process's resident memory, in bytes */
  memoryBytes: number;
  launcher?: QueryLauncher;
  script?: HostScript;
  /** told when the process is ended, and why */
  onStop?: (why: string) => void;
}

type Reason = StopReason;

interface Pending {
  op: Call['op'];
  queryId?: string;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  reason?: Reason;
  timeoutMs?: number;
  timers: NodeJS.Timeout[];
  /** handed to the process (before that, a cancel needs no process to end) */
  sent?: boolean;
  stream?: { columns(c: Column[]): void; rows(r: Cell[][]): void | Promise<void> };
}

export interface CallOptions {
  timeoutMs?: number;
  queryId?: string;
  stream?: Pending['stream'];
}

export class QueryProcess {
  private child: QueryChild | undefined;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private sentSignature: string | undefined;
  private watch: NodeJS.Timeout | undefined;
  private reportedRss = 0;
  private closed = false;
  private scriptP: Promise<HostScript> | undefined;
  /** the highest resident memory seen (bytes), for tests and the bench */
  peakRss = 0;
  /** how many times a process was started */
  starts = 0;

  constructor(private readonly o: QueryProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Runs one call in the query process. */
  call<O extends Call['op']>(call: Extract<Call, { op: O }>, opts: CallOptions = {}): Promise<ResultOf<O>> {
    if (this.closed) return Promise.reject(new MpError('E_INTERNAL', 'query engine closed'));
    const id = ++this.seq;
    // pending at once: a cancel or timeout counts from now, even while the process is starting
    const answer = new Promise<unknown>((resolve, reject) => {
      const p: Pending = { op: call.op, queryId: opts.queryId, resolve, reject, timers: [], timeoutMs: opts.timeoutMs, stream: opts.stream };
      this.pending.set(id, p);
      if (opts.timeoutMs) p.timers.push(setTimeout(() => this.stop(id, 'timeout'), opts.timeoutMs));
    });
    this.script().then(
      (script) => {
        const p = this.pending.get(id);
        if (!p) return;
        if (p.reason || this.closed) return this.settle(id, p.reason ? this.reasonError(p) : new MpError('E_INTERNAL', 'query engine closed'));
        const child = this.ensure(script);
        const { files, oneSchema } = this.o.files();
        const signature = `${oneSchema}\n${files.join('\n')}`;
        if (signature !== this.sentSignature) {
          child.send({ t: 'files', files, oneSchema });
          this.sentSignature = signature;
        }
        p.sent = true;
        child.send({ t: 'call', id, call });
        this.sample();
      },
      (e: unknown) => this.settle(id, new MpError('E_INTERNAL', `cannot start the query process: ${e instanceof Error ? e.message : String(e)}`)),
    );
    return answer.then((v) => RESULTS[call.op].parse(v) as ResultOf<O>);
  }

  private script(): Promise<HostScript> {
    this.scriptP ??= this.o.script ? Promise.resolve(this.o.script) : hostScript();
    return this.scriptP;
  }

  /** Cancels the call running under queryId; false when there is none. */
  cancel(queryId: string): boolean {
    for (const [id, p] of this.pending) {
      if (p.queryId === queryId) {
        this.stop(id, 'cancel');
        return true;
      }
    }
    return false;
  }

  /** Ends the process (the engine is closing). */
  close(): void {
    this.closed = true;
    this.kill('the engine closed');
  }

  /** Interrupts one call; ends the process if it is still running GRACE_MS later. */
  private stop(id: number, reason: Reason): void {
    const p = this.pending.get(id);
    if (!p || p.reason) return;
    p.reason = reason;
    if (!p.sent) return this.settle(id, this.reasonError(p));
    this.child?.send({ t: 'interrupt', id });
    p.timers.push(setTimeout(() => this.pending.has(id) && this.kill(`a query did not stop within ${GRACE_MS} ms of its ${reason}`), GRACE_MS));
  }

  private ensure(script: HostScript): QueryChild {
    if (this.child) return this.child;
    const launcher = this.o.launcher ?? forkLauncher;
    const env: Record<string, string> = { [HOST_CONFIG_ENV]: JSON.stringify(this.o.config) };
    for (const k of ['PATH', 'HOME', 'TMPDIR', 'TZ', 'SYSTEMROOT', 'LANG']) if (process.env[k] !== undefined) env[k] = process.env[k]!;
    const child = launcher(script, env);
    this.child = child;
    this.starts++;
    this.sentSignature = undefined;
    this.reportedRss = 0;
    child.onMessage((m) => this.onMessage(child, m));
    child.onExit((code) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.failAll(code === 0 ? 'the query process ended' : `the query process ended unexpectedly (exit ${code ?? 'signal'})`);
      // its spill files: nobody else will use them (a process killed with the engine is swept by the next one)
      if (child.pid) fs.rmSync(path.join(this.o.config.spillRoot, String(child.pid)), { recursive: true, force: true });
    });
    return child;
  }

  private onMessage(child: QueryChild, raw: unknown): void {
    if (child !== this.child) return;
    const parsed = FromHostSchema.safeParse(raw);
    if (!parsed.success) return;
    const m = parsed.data;
    if (m.t === 'rss') {
      this.reportedRss = m.bytes;
      this.check(m.bytes);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.t === 'columns') p.stream?.columns(m.columns);
    else if (m.t === 'rows') {
      void Promise.resolve(p.stream?.rows(m.rows)).then(
        () => this.child === child && child.send({ t: 'ack', id: m.id }),
        (e: unknown) => (this.stop(m.id, 'cancel'), this.settle(m.id, e)),
      );
    } else if (!m.error) this.settle(m.id, undefined, m.value);
    else this.settle(m.id, p.reason ? this.reasonError(p) : new MpError(m.error.code, m.error.message));
  }

  private settle(id: number, error: unknown, value?: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    for (const t of p.timers) clearTimeout(t);
    if (error !== undefined) p.reject(error);
    else p.resolve(value);
  }

  private reasonError(p: Pending, detail?: string): MpError {
    return stopError(p.reason ?? 'cancel', p.timeoutMs, detail);
  }

  private kill(why: string, reason?: Reason, detail?: string): void {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    this.o.onStop?.(why);
    child.kill();
    if (child.pid) fs.rmSync(path.join(this.o.config.spillRoot, String(child.pid)), { recursive: true, force: true });
    for (const p of this.pending.values()) if (reason && !p.reason) p.reason = reason;
    this.failAll(why, detail);
  }

  private failAll(why: string, detail?: string): void {
    for (const [id, p] of [...this.pending]) {
      this.settle(id, p.reason ? this.reasonError(p, detail) : new MpError('E_QUERY', `query stopped: ${why}; run it again`));
    }
  }

  /** Samples the process's memory while calls are in flight. */
  private sample(): void {
    if (this.watch) return;
    let reading = false;
    this.watch = setInterval(() => {
      if (this.pending.size === 0 || !this.child) {
        clearInterval(this.watch);
        this.watch = undefined;
        return;
      }
      // read on the thread pool: /proc/<pid>/status waits for the process's memory map lock, which a query
      // allocating hard holds (a synchronous read held the engine's event loop for tens of ms at a time)
      if (reading) return;
      reading = true;
      const child = this.child;
      void readRssAsync(child.pid).then((rss) => {
        reading = false;
        if (this.child === child) this.check(rss ?? this.reportedRss);
      });
    }, SAMPLE_MS);
    this.watch.unref();
  }

  private check(bytes: number): void {
    this.peakRss = Math.max(this.peakRss, bytes);
    if (bytes <= this.o.memoryBytes || !this.child) return;
    this.kill('over its memory ceiling', 'memory', memoryDetail(bytes, this.o.memoryBytes));
  }
}

const rssOf = (status: string) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : undefined;
};

/** readRss() read on the thread pool. */
export async function readRssAsync(pid: number | undefined): Promise<number | undefined> {
  if (!pid) return undefined;
  try {
    return rssOf(await fs.promises.readFile(`/proc/${pid}/status`, 'latin1'));
  } catch {
    return undefined;
  }
}

/** A process's resident memory from /proc (Linux); undefined elsewhere. */
export function readRss(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    return rssOf(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
  } catch {
    return undefined;
  }
}
