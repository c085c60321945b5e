import type { SchemaView } from '../contract/query';
import { MpError, toErrorValue } from '../shared/errors';
import { CallSchema, FromHostSchema, HOST_CONFIG_ENV, HostConfigSchema, ToHostSchema, type Call, type FromHost } from './protocol';
import { ResultStore } from './results';
import { DuckQueryService, type FileSet } from './service';

// The query process: the one place user SQL runs. The engine starts it (query/process.ts) with `fork` (CLI, serve) or
// as Electron's utility process (desktop), and ends it when a query must stop and DuckDB's interrupt cannot stop it
// (a `repeat()` building a string of gigabytes runs to its end regardless), or when it passes its memory ceiling.
// Everything here dies with it: open results, spill files (swept by the next process: prepareSpillDir).

/** Electron's utility process has a parentPort instead of process.send. */
interface ParentPort {
  on(event: 'message', cb: (e: { data: unknown }) => void): void;
  postMessage(m: unknown): void;
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(m: FromHost): void {
  if (parentPort) parentPort.postMessage(m);
  else process.send?.(m);
}

const config = HostConfigSchema.parse(JSON.parse(process.env[HOST_CONFIG_ENV] ?? 'null'));
let fileSet: FileSet = { files: [], oneSchema: true };
const svcReady = DuckQueryService.open('', config.barsRoot, config.precedence, {
  exportDir: config.exportDir,
  spillDir: config.spillRoot,
  memoryLimit: config.memoryLimit,
  maxSpill: config.maxSpill,
  files: () => fileSet,
});
const resultsReady = svcReady.then((svc) => new ResultStore(svc));
const controllers = new Map<number, AbortController>();
const acks = new Map<number, () => void>();

async function perform(id: number, call: Call, signal: AbortSignal): Promise<unknown> {
  const svc = await svcReady;
  const results = await resultsReady;
  switch (call.op) {
    case 'run':
      return svc.run({ sql: call.sql, maxRows: call.maxRows }, signal);
    case 'stream':
      return svc.stream(call.sql, undefined, {
        columns: (columns) => send({ t: 'columns', id, columns }),
        // one chunk in flight: the next is fetched once the engine has written this one
        rows: (rows) => new Promise<void>((resolve) => (acks.set(id, resolve), send({ t: 'rows', id, rows }))),
      }, signal, call.files);
    case 'open':
      return results.open(call.sql, call.queryId, signal, call.files);
    case 'page':
      return results.page(call.queryId, call.offset, call.limit, call.sort);
    case 'sort':
      await results.ensureSort(call.queryId, call.sort);
      return null;
    case 'close':
      return results.close(call.queryId);
    case 'export':
      return results.exportTo(call.queryId, call.format, call.file);
    case 'stats':
      return results.stats();
    case 'schema':
      return schema(svc);
  }
}

async function schema(svc: DuckQueryService): Promise<SchemaView[]> {
  const lease = await svc.lease();
  try {
    const out: SchemaView[] = [];
    for (const v of ['bars', 'bars_all']) {
      const r = await lease.conn.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE ${v})`);
      out.push({ name: v, columns: r.getRows().map((row) => ({ name: String(row[0]), type: String(row[1]) })) });
    }
    return out;
  } finally {
    lease.release();
  }
}

function onMessage(raw: unknown): void {
  const parsed = ToHostSchema.safeParse(raw);
  if (!parsed.success) return;
  const m = parsed.data;
  if (m.t === 'files') fileSet = { files: m.files, oneSchema: m.oneSchema };
  else if (m.t === 'interrupt') controllers.get(m.id)?.abort();
  else if (m.t === 'ack') {
    acks.get(m.id)?.();
    acks.delete(m.id);
  } else {
    const ctl = new AbortController();
    controllers.set(m.id, ctl);
    const call = CallSchema.parse(m.call);
    perform(m.id, call, ctl.signal).then(
      (value) => send({ t: 'reply', id: m.id, value }),
      (e: unknown) => send({ t: 'reply', id: m.id, error: e instanceof MpError ? e.toValue() : toErrorValue(e) }),
    ).finally(() => controllers.delete(m.id));
  }
}

if (parentPort) parentPort.on('message', (e) => onMessage(e.data));
else process.on('message', onMessage);
// the engine is gone (closed, crashed or killed): nothing here is worth finishing
process.on('disconnect', () => process.exit(0));
svcReady.catch((e: unknown) => {
  process.stderr.write(`query process: cannot open DuckDB: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
// the engine also reads /proc/<pid>/status where it exists; this serves the other platforms
const rss = setInterval(() => send(FromHostSchema.parse({ t: 'rss', bytes: process.memoryUsage.rss() })), 100);
rss.unref();
