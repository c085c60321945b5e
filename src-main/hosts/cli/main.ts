import { Command, CommanderError, Option } from 'commander';
import pkg from '../../../package.json';
import { formatZodError } from '../../contract/dispatcher';
import { IngestArgSchema } from '../../contract/schemas';
import { exitCodeFor, MpError, toErrorValue } from '../../shared/errors';
import { resolveDataDir } from '../../settings/paths';
import { withDotEnv } from '../../settings/dotenv';
import { Redactor } from '../../shared/redact';
import type { Engine } from '../../engine';
import type { Job, Universe } from '../../contract/schemas';
import type { RequestArgInput, RequestName, RequestResult } from '../../contract/contract';
import { intOption, positiveNumberOption, splitSymbols } from './options';

// The `marketpipe` CLI. Importing this module does nothing but define commands: the engine (DuckDB, SQLite) is
// loaded only inside the action that needs it, so `--help` is fast and creates no file.

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

interface GlobalOpts {
  dataDir?: string;
}

async function withEngine<T>(cmd: Command, io: CliIo, fn: (engine: Engine) => Promise<T>, host: 'cli' | 'serve' = 'cli'): Promise<T> {
  const { Engine } = await import('../../engine');
  const { createLogger } = await import('../../shared/log');
  const { parseEnv } = await import('../../settings/env');
  const fullEnv = withDotEnv(io.env);
  const env = parseEnv(fullEnv);
  const globals = cmd.optsWithGlobals<GlobalOpts>();
  const engine = new Engine({
    dataDir: resolveDataDir(globals.dataDir, io.env),
    host,
    version: pkg.version,
    env: fullEnv,
    log: createLogger({ level: env.MP_LOG_LEVEL ?? 'warn', redactor: Redactor.fromEnv(fullEnv), write: (l) => io.stderr.write(l) }),
  });
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

function print(io: CliIo, s: string) {
  io.stdout.write(s.endsWith('\n') ? s : s + '\n');
}

/** A request through the contract's dispatcher, as the UI would make it; an error value becomes a thrown MpError. */
async function request<K extends RequestName>(engine: Engine, name: K, arg: RequestArgInput<K>): Promise<RequestResult<K>> {
  const r = await engine.dispatcher.dispatch(name, arg, { transport: 'in-process' });
  if (!r.ok) throw new MpError(r.error.code, r.error.message);
  return r.value as RequestResult<K>;
}

/** Starts (or resumes) a job, shows its progress on a terminal, turns Ctrl+C into a clean cancel, prints the summary. */
async function followJob(engine: Engine, io: CliIo, json: boolean, start: () => Promise<Job>): Promise<void> {
  const t0 = performance.now();
  const job = await start();
  const tty = (io.stderr as NodeJS.WriteStream).isTTY === true && !json;
  const off = tty
    ? engine.bus.subscribe((e) => {
        if (e.name === 'job.progress' && e.payload.jobId === job.id) {
          io.stderr.write(`\r${e.payload.progress.toFixed(1).padStart(5)}%  ${e.payload.rowsWritten} rows  ${e.payload.message}`.padEnd(80));
        }
      })
    : () => undefined;
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    io.stderr.write('\ncancelling: finishing the current write (Ctrl+C again to abort at once)\n');
    engine.cancelJob(job.id);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let done;
  try {
    done = await engine.waitForJob(job.id);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    off();
    if (tty) io.stderr.write('\n');
  }
  const elapsedMs = Math.round(performance.now() - t0);
  const tasks = await request(engine, 'jobs.tasks', { jobId: done.id });
  const summary = {
    jobId: done.id,
    status: done.status,
    provider: done.provider,
    feed: done.feed,
    timeframe: done.timeframe,
    symbols: done.symbols,
    start: done.start,
    end: done.end,
    rowsWritten: done.rowsWritten,
    /** units of work (symbol x year) this job planned; 0 when everything was already in the lake */
    units: tasks.length,
    elapsedMs,
    rowsPerSecond: elapsedMs > 0 ? Math.round((done.rowsWritten / elapsedMs) * 1000) : done.rowsWritten,
    dataDir: engine.paths.root,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    error: done.error,
  };
  if (json) print(io, JSON.stringify(summary));
  else if (tasks.length === 0 && done.status === 'succeeded') print(io, `job ${done.id}: already up to date (${done.start}..${done.end} is in the lake; --force fetches again)`);
  else print(io, `job ${done.id} ${done.status}: ${done.rowsWritten} rows, ${done.symbols.length} symbol(s), ${done.start}..${done.end}, ${(elapsedMs / 1000).toFixed(1)} s`);
  if (done.error) throw new MpError(done.error.code, done.error.message);
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('marketpipe')
    .description('MarketPipe: ingest OHLCV bars into a local Parquet lake, validate, aggregate and query them.')
    .version(pkg.version, '-V, --version')
    .option('--data-dir <dir>', 'data directory (default: $MP_DATA_DIR, else the per-user default)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // one line, same prefix as every other error, with a pointer to --help
      outputError: (s, write) => write(`marketpipe: ${s.trim().replace(/\s*\n\s*/g, ' ')} (see --help)\n`),
    })
    .exitOverride();

  program
    .command('migrate')
    .description('apply pending metadata-database migrations')
    .option('--status', 'show each migration and whether it is applied; change nothing')
    .option('--json', 'print JSON')
    .action(async (opts: { status?: boolean; json?: boolean }, cmd: Command) => {
      await withEngine(cmd, io, async (engine) => {
        if (opts.status) {
          const st = engine.migrationStatus();
          if (opts.json) return print(io, JSON.stringify(st));
          for (const m of st) print(io, `${m.state.padEnd(8)} ${m.name}${m.appliedAt ? `  (${m.appliedAt})` : ''}`);
          return;
        }
        const applied = engine.migrate();
        if (opts.json) return print(io, JSON.stringify({ applied }));
        print(io, applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
      });
    });

  program
    .command('providers')
    .description('list data providers, what each needs and whether it is configured')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { defaultRegistry } = await import('../../providers/registry');
      const list = defaultRegistry().list(withDotEnv(io.env));
      if (opts.json) return print(io, JSON.stringify(list));
      for (const p of list) {
        print(io, `${p.name.padEnd(10)} ${p.configured ? 'configured' : 'needs ' + p.needs.join(', ')}  feeds: ${p.feeds.join('|')}  timeframes: ${p.timeframes.join(',')}`);
        print(io, `           ${p.description}`);
      }
    });

  program
    .command('ingest')
    .description('fetch bars from a provider into the lake (dates are exchange-local, both inclusive); only sessions not yet in the lake are fetched unless --force')
    .option('--provider <name>', 'data provider (see `marketpipe providers`)')
    .option('--symbols <list>', 'comma-separated symbols, e.g. AAPL,MSFT,BRK.B')
    .option('--start <date>', 'first exchange-local date, YYYY-MM-DD (csv: optional)')
    .option('--end <date>', 'last exchange-local date, YYYY-MM-DD (csv: optional)')
    .option('--timeframe <tf>', 'bar timeframe: 1m, 5m, 15m, 30m, 1h, 1d (default 1m; csv: inferred)')
    .option('--feed <feed>', 'provider feed (default: the provider\'s default)')
    .option('--source <path>', 'csv: a bars CSV file or a folder of them')
    .option('--tz <zone>', 'csv: time zone of timestamps without an offset (default America/New_York)')
    .option('--batch-size <n>', 'bars per provider request/page', intOption('--batch-size', 1, 100_000))
    .option('--workers <n>', 'symbols fetched concurrently', intOption('--workers', 1, 32), 4)
    .option('--universe <name>', 'ingest the symbols of this universe (with or instead of --symbols)')
    .option('--update', 'bring the symbols up to date: through the last closed session, from where each one stops')
    .option('--force', 'fetch every session again, even those already in the lake')
    .option('--resume <jobId>', 'run the unfinished units of a failed, cancelled or interrupted job')
    .option('--json', 'print one JSON summary on stdout')
    .action(async (opts: { provider?: string; universe?: string; update?: boolean; force?: boolean; resume?: string; symbols?: string; start?: string; end?: string; timeframe?: string; feed?: string; source?: string; tz?: string; batchSize?: number; workers: number; json?: boolean }, cmd: Command) => {
      if (opts.resume !== undefined) {
        const others = (['provider', 'symbols', 'start', 'end', 'timeframe', 'feed', 'source', 'tz', 'force', 'universe', 'update'] as const).filter((k) => opts[k] !== undefined);
        if (others.length) throw new MpError('E_BAD_INPUT', `--resume takes the job's own settings: drop --${others.join(', --')}`);
        const jobId = opts.resume;
        await withEngine(cmd, io, (engine) => followJob(engine, io, opts.json === true, () => engine.resumeIngest(jobId)));
        return;
      }
      if (opts.provider === undefined) throw new MpError('E_BAD_INPUT', "required option '--provider <name>' not specified");
      const parsed = IngestArgSchema.safeParse({
        provider: opts.provider,
        force: opts.force === true,
        update: opts.update === true,
        universe: opts.universe,
        symbols: opts.symbols === undefined ? [] : splitSymbols(opts.symbols),
        start: opts.start,
        end: opts.end,
        timeframe: opts.timeframe,
        feed: opts.feed,
        workers: opts.workers,
        batchSize: opts.batchSize,
        source: opts.source,
        tz: opts.tz,
      });
      if (!parsed.success) throw new MpError('E_BAD_INPUT', `--${formatZodError(parsed.error)}`);
      // Validate the provider before touching the disk: bad input changes nothing.
      const { defaultRegistry } = await import('../../providers/registry');
      const provider = defaultRegistry().get(parsed.data.provider);
      if (!provider.prepare) {
        // only a provider that reads its own files (csv) can tell symbols and range itself; --update tells the range
        const needed = [
          ['--symbols <list> or --universe <name>', opts.symbols ?? opts.universe],
          ['--start <date>', opts.update ? '' : opts.start],
          ['--end <date>', opts.update ? '' : opts.end],
        ] as const;
        for (const [flag, given] of needed) {
          if (given === undefined) throw new MpError('E_BAD_INPUT', `required option '${flag}' not specified for provider ${provider.info.name}`);
        }
      }
      await withEngine(cmd, io, (engine) => followJob(engine, io, opts.json === true, () => engine.startIngest(parsed.data)));
    });

  program
    .command('jobs')
    .description('list ingestion jobs, newest first; with a job id, its per-symbol status')
    .argument('[jobId]', 'show one job and the state of each of its symbols')
    .option('--limit <n>', 'how many', intOption('--limit', 1, 1000), 20)
    .option('--json', 'print JSON')
    .action(async (jobId: string | undefined, opts: { limit: number; json?: boolean }, cmd: Command) => {
      await withEngine(cmd, io, async (engine) => {
        if (jobId !== undefined) {
          const job = await request(engine, 'jobs.get', { jobId });
          const tasks = await request(engine, 'jobs.tasks', { jobId });
          if (opts.json) return print(io, JSON.stringify({ ...job, tasks }));
          print(io, `job ${job.id}  ${job.status}  ${job.progress.toFixed(0)}%  ${job.rowsWritten} rows  ${job.provider}/${job.feed} ${job.timeframe}  ${job.start}..${job.end}`);
          if (job.error) print(io, `error: ${job.error.code} ${job.error.message}`);
          if (tasks.length === 0) return print(io, 'nothing to fetch: every session was already in the lake');
          const bySymbol = new Map<string, { done: number; total: number; days: number; rows: number }>();
          for (const t of tasks) {
            const s = bySymbol.get(t.symbol) ?? { done: 0, total: 0, days: 0, rows: 0 };
            s.total++;
            s.days += t.days;
            s.rows += t.rows;
            if (t.status === 'done') s.done++;
            bySymbol.set(t.symbol, s);
          }
          print(io, 'SYMBOL           STATUS    UNITS   SESSIONS        ROWS');
          for (const [sym, s] of bySymbol) {
            const status = s.done === s.total ? 'done' : s.done > 0 ? 'partial' : 'pending';
            print(io, `${sym.padEnd(15)}  ${status.padEnd(8)}  ${`${s.done}/${s.total}`.padStart(5)}  ${String(s.days).padStart(9)}  ${String(s.rows).padStart(10)}`);
          }
          return;
        }
        const jobs = await request(engine, 'jobs.list', { limit: opts.limit });
        if (opts.json) return print(io, JSON.stringify(jobs));
        if (jobs.length === 0) return print(io, 'no jobs yet');
        print(io, 'ID                                    STATUS     PROGRESS  ROWS        PROVIDER  RANGE                   SYMBOLS');
        for (const j of jobs) {
          const syms = j.symbols.length > 5 ? `${j.symbols.slice(0, 5).join(',')},… (${j.symbols.length})` : j.symbols.join(',');
          print(io, `${j.id}  ${j.status.padEnd(9)}  ${(j.progress.toFixed(0) + '%').padStart(8)}  ${String(j.rowsWritten).padStart(10)}  ${j.provider.padEnd(8)}  ${j.start}..${j.end}  ${syms}`);
        }
      });
    });

  const universe = program.command('universe').description('manage universes: named, versioned symbol lists');
  const json = (cmd: Command) => cmd.opts<{ json?: boolean }>().json === true;
  const showUniverse = (u: Universe, cmd: Command) => {
    if (json(cmd)) return print(io, JSON.stringify(u));
    print(io, `${u.name}  v${u.version}  ${u.symbols.length} symbol(s)${u.tags.length ? '  tags: ' + u.tags.join(', ') : ''}${u.exchange ? '  ' + u.exchange : ''}${u.assetClass ? '  ' + u.assetClass : ''}`);
    if (u.symbols.length) print(io, u.symbols.join(' '));
  };

  universe
    .command('list')
    .description('list universes')
    .option('--json', 'print JSON')
    .action(async (_o: unknown, cmd: Command) =>
      withEngine(cmd, io, async (engine) => {
        const list = await request(engine, 'universe.list', {});
        if (json(cmd)) return print(io, JSON.stringify(list));
        if (list.length === 0) return print(io, 'no universes yet: marketpipe universe create NAME --symbols A,B');
        for (const u of list) print(io, `${u.name.padEnd(24)} ${String(u.symbols.length).padStart(6)} symbols  v${u.version}${u.tags.length ? '  [' + u.tags.join(', ') + ']' : ''}`);
      }),
    );

  universe
    .command('show')
    .argument('<name>')
    .description('show a universe and its symbols')
    .option('--json', 'print JSON')
    .action(async (name: string, _o: unknown, cmd: Command) => withEngine(cmd, io, async (engine) => showUniverse(await request(engine, 'universe.get', { name }), cmd)));

  universe
    .command('create')
    .argument('<name>')
    .description('create a universe')
    .option('--symbols <list>', 'initial symbols, comma or space separated')
    .option('--tags <list>', 'comma-separated tags')
    .option('--exchange <exchange>', 'e.g. NYSE, NASDAQ')
    .option('--asset-class <class>', 'e.g. us_equity, etf')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { symbols?: string; tags?: string; exchange?: string; assetClass?: string }, cmd: Command) =>
      withEngine(cmd, io, async (engine) => {
        const u = await request(engine, 'universe.create', {
          name,
          symbols: o.symbols ? splitSymbols(o.symbols) : [],
          ...(o.tags ? { tags: o.tags.split(',').map((t) => t.trim()).filter(Boolean) } : {}),
          ...(o.exchange ? { exchange: o.exchange } : {}),
          ...(o.assetClass ? { assetClass: o.assetClass } : {}),
        });
        showUniverse(u, cmd);
      }),
    );

  for (const verb of ['add', 'remove'] as const) {
    universe
      .command(verb)
      .argument('<name>')
      .argument('<symbols>', 'comma or space separated')
      .description(verb === 'add' ? 'add symbols to a universe' : 'remove symbols from a universe (kept in its history)')
      .option('--json', 'print JSON')
      .action(async (name: string, symbols: string, _o: unknown, cmd: Command) =>
        withEngine(cmd, io, async (engine) => {
          const list = splitSymbols(symbols);
          if (verb === 'add') {
            const r = await request(engine, 'universe.add', { name, symbols: list });
            if (json(cmd)) return print(io, JSON.stringify(r));
            print(io, `added ${r.added.length ? r.added.join(', ') : 'nothing (all present)'}; ${r.universe.name} has ${r.universe.symbols.length} symbol(s)`);
          } else {
            const r = await request(engine, 'universe.remove', { name, symbols: list });
            if (json(cmd)) return print(io, JSON.stringify(r));
            print(io, `removed ${r.removed.length ? r.removed.join(', ') : 'nothing (none were members)'}; ${r.universe.name} has ${r.universe.symbols.length} symbol(s)`);
          }
        }),
      );
  }

  universe
    .command('delete')
    .argument('<name>')
    .description('delete a universe (its data stays in the lake)')
    .option('--json', 'print JSON')
    .action(async (name: string, _o: unknown, cmd: Command) =>
      withEngine(cmd, io, async (engine) => {
        await request(engine, 'universe.delete', { name });
        print(io, json(cmd) ? JSON.stringify({ deleted: name }) : `deleted ${name}`);
      }),
    );

  universe
    .command('import')
    .argument('<name>')
    .argument('<file>', 'CSV with a symbol (or ticker) column, or one symbol per line')
    .description('add the symbols of a CSV file to a universe (created if new); rejected lines are reported')
    .option('--json', 'print JSON')
    .action(async (name: string, file: string, _o: unknown, cmd: Command) => {
      const fs = await import('node:fs');
      const { symbolsFromCsv } = await import('../../universe/csv');
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        throw new MpError('E_BAD_INPUT', `cannot read ${file}`);
      }
      const parsed = symbolsFromCsv(text, file);
      if (parsed.symbols.length === 0) throw new MpError('E_BAD_INPUT', `${file}: no valid symbol (${parsed.rejected.length} line(s) rejected)`);
      await withEngine(cmd, io, async (engine) => {
        const exists = (await engine.dispatcher.dispatch('universe.get', { name }, { transport: 'in-process' })).ok;
        const u = exists
          ? (await request(engine, 'universe.add', { name, symbols: parsed.symbols })).universe
          : await request(engine, 'universe.create', { name, symbols: parsed.symbols });
        if (json(cmd)) return print(io, JSON.stringify({ universe: u, imported: parsed.symbols.length, rejected: parsed.rejected }));
        print(io, `${u.name}: imported ${parsed.symbols.length} symbol(s), now ${u.symbols.length}`);
        for (const r of parsed.rejected) io.stderr.write(`rejected line ${r.line}: "${r.value}": ${r.reason}\n`);
      });
    });

  universe
    .command('export')
    .argument('<name>')
    .argument('[file]', 'write here (atomically) instead of stdout')
    .description('export a universe as CSV')
    .action(async (name: string, file: string | undefined, _o: unknown, cmd: Command) =>
      withEngine(cmd, io, async (engine) => {
        const { universeToCsv } = await import('../../universe/csv');
        const { fileSink, stdoutSink } = await import('./output');
        const out = file ? fileSink(file) : stdoutSink(io.stdout);
        await out.write(universeToCsv(await request(engine, 'universe.get', { name })));
        await out.end();
      }),
    );

  program
    .command('metrics')
    .description('serve Prometheus metrics (this process and the totals every MarketPipe process recorded), or read the metrics history')
    .option('--port <n>', 'metrics server port (default $METRICS_PORT or 8000)', intOption('--port', 0, 65_535))
    .option('--host <host>', 'address to bind (default $METRICS_HOST or 127.0.0.1)')
    .option('--legacy-metrics', 'classic Prometheus text format only, the original metrics without the extras')
    .option('--list', 'list recorded metrics and their latest values')
    .option('--metric <name>', 'history of one metric')
    .option('--since <duration>', 'with --metric: how far back, e.g. 30m, 24h, 7d (default 24h)')
    .option('--avg <bucket>', 'with --metric: averages per bucket, e.g. 5m, 1h')
    .option('--plot', 'with --metric: an ASCII chart')
    .option('--labels <pairs>', 'with --metric: keep series with these labels, e.g. provider=alpaca')
    .option('--json', 'print JSON')
    .action(async (opts: { port?: number; host?: string; legacyMetrics?: boolean; list?: boolean; metric?: string; since?: string; avg?: string; plot?: boolean; labels?: string; json?: boolean }, cmd: Command) => {
      const { runMetricsCommand } = await import('../../metrics');
      await withEngine(cmd, io, (engine) => runMetricsCommand(engine, { ...io, env: engine.env }, opts));
    });

  program
    .command('validate')
    .description('check bars against the NYSE calendar and the validation rules; writes a CSV audit report')
    .option('--symbols <list>', 'only these symbols')
    .option('--start <date>', 'first exchange-local date, YYYY-MM-DD')
    .option('--end <date>', 'last exchange-local date, YYYY-MM-DD')
    .option('--provider <name>', 'only this provider\'s bars')
    .option('--feed <feed>', 'only this feed')
    .option('--timeframe <tf>', 'only this timeframe')
    .option('--job <jobId>', 'what this ingestion job fetched')
    .option('--report-dir <dir>', 'where the CSV report goes (default: <data dir>/reports)')
    .option('--rules', 'list the rules, their severities and thresholds')
    .option('--list', 'list past validation runs')
    .option('--json', 'print JSON')
    .action(async (opts: { symbols?: string; start?: string; end?: string; provider?: string; feed?: string; timeframe?: string; job?: string; reportDir?: string; rules?: boolean; list?: boolean; json?: boolean }, cmd: Command) => {
      const v = await import('../../validate');
      if (opts.rules) {
        const rules = v.listRules();
        if (opts.json) return print(io, JSON.stringify(rules));
        for (const r of rules) print(io, `${r.id.padEnd(22)} ${r.severity.padEnd(8)} ${r.description}`);
        return;
      }
      const scopeInput = {
        ...(opts.symbols ? { symbols: splitSymbols(opts.symbols) } : {}),
        ...(opts.start ? { start: opts.start } : {}),
        ...(opts.end ? { end: opts.end } : {}),
        ...(opts.provider ? { provider: opts.provider } : {}),
        ...(opts.feed ? { feed: opts.feed } : {}),
        ...(opts.timeframe ? { timeframe: opts.timeframe } : {}),
      };
      // bad input is refused before the data dir is touched
      const scope = v.ScopeSchema.safeParse(scopeInput);
      if (!scope.success) throw new MpError('E_BAD_INPUT', `--${formatZodError(scope.error)}`);
      await withEngine(cmd, io, async (engine) => {
        if (opts.list) {
          const runs = engine.validationRuns({ limit: 50, ...(opts.job ? { jobId: opts.job } : {}) });
          if (opts.json) return print(io, JSON.stringify(runs));
          if (runs.length === 0) return print(io, 'no validation runs yet');
          for (const r of runs) print(io, `${r.createdAt}  ${r.id}  ${String(r.findingsTotal).padStart(7)} findings  ${r.barsChecked} bars  ${r.reportFile}`);
          return;
        }
        const r = await engine.validate({ scope: scope.data, ...(opts.job ? { jobId: opts.job } : {}), ...(opts.reportDir ? { reportDir: opts.reportDir } : {}) });
        if (opts.json) return print(io, JSON.stringify(r));
        print(io, `validated ${r.barsChecked} bars in ${r.series} series: ${r.totalFindings} finding(s) (${Object.entries(r.bySeverity).map(([k, n]) => `${k} ${n}`).join(', ')})`);
        for (const [rule, bySev] of Object.entries(r.findings)) {
          const parts = Object.entries(bySev).filter(([, n]) => n > 0);
          if (parts.length) print(io, `  ${rule.padEnd(22)} ${parts.map(([k, n]) => `${n} ${k}`).join(', ')}`);
        }
        print(io, `report: ${r.reportFile}`);
      });
    });

  program
    .command('aggregate')
    .description('build coarser bars (5m, 15m, 30m, 1h, 1d) from the lake\'s 1m bars, into the same lake')
    .option('--timeframes <list>', 'comma-separated target timeframes', '5m,15m,30m,1h,1d')
    .option('--symbols <list>', 'only these symbols')
    .option('--start <date>', 'first exchange-local date, YYYY-MM-DD')
    .option('--end <date>', 'last exchange-local date, YYYY-MM-DD')
    .option('--provider <name>', 'only this provider\'s bars')
    .option('--feed <feed>', 'only this feed')
    .option('--json', 'print JSON')
    .action(async (opts: { timeframes: string; symbols?: string; start?: string; end?: string; provider?: string; feed?: string; json?: boolean }, cmd: Command) => {
      const { AggregateArgSchema } = await import('../../aggregate');
      const arg = {
        timeframes: opts.timeframes.split(',').map((t) => t.trim()).filter(Boolean),
        scope: {
          ...(opts.symbols ? { symbols: splitSymbols(opts.symbols) } : {}),
          ...(opts.start ? { start: opts.start } : {}),
          ...(opts.end ? { end: opts.end } : {}),
          ...(opts.provider ? { provider: opts.provider } : {}),
          ...(opts.feed ? { feed: opts.feed } : {}),
        },
      };
      const parsed = AggregateArgSchema.safeParse(arg);
      if (!parsed.success) throw new MpError('E_BAD_INPUT', `--${formatZodError(parsed.error)}`);
      await withEngine(cmd, io, async (engine) => {
        const ac = new AbortController();
        const stop = () => ac.abort();
        process.once('SIGINT', stop);
        try {
          const r = await engine.aggregate(parsed.data, ac.signal);
          if (opts.json) return print(io, JSON.stringify(r));
          print(io, `aggregated ${r.sourcePartitions} source partition(s) into ${r.partitions} partition(s): ${Object.entries(r.rows).map(([tf, n]) => `${tf} ${n}`).join(', ')} bars in ${(r.elapsedMs / 1000).toFixed(1)} s`);
        } finally {
          process.off('SIGINT', stop);
        }
      });
    });

  program
    .command('query')
    .description('run read-only SQL over the lake (view: bars)')
    .argument('<sql>', 'one SELECT statement')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .option('--output <file>', 'write to FILE instead of stdout (atomically)')
    .option('--timeout <seconds>', 'cancel the query after this many seconds', positiveNumberOption('--timeout', 86_400))
    .action(async (sql: string, opts: { format: 'table' | 'csv' | 'json'; output?: string; timeout?: number }, cmd: Command) => {
      if (!sql.trim()) throw new MpError('E_BAD_INPUT', 'SQL is empty');
      const { rowWriter, fileSink, stdoutSink } = await import('./output');
      await withEngine(cmd, io, async (engine) => {
        const out = opts.output ? fileSink(opts.output) : stdoutSink(io.stdout);
        const w = rowWriter(opts.format, out);
        try {
          await engine.streamQuery(sql, opts.timeout ? Math.round(opts.timeout * 1000) : undefined, {
            columns: (c) => w.columns(c),
            rows: (r) => w.rows(r),
          });
          await w.finish();
        } catch (e) {
          out.abort();
          throw e;
        }
      });
    });

  program
    .command('serve')
    .description('serve the MarketPipe UI to a browser on this machine (web mode)')
    .option('--port <n>', 'port (0 picks a free one)', intOption('--port', 0, 65_535), 8765)
    .option('--host <host>', 'address to bind (loopback unless you mean otherwise)', '127.0.0.1')
    .action(async (opts: { port: number; host: string }, cmd: Command) => {
      const { serve } = await import('../serve/server');
      await withEngine(cmd, io, async (engine) => {
        const { parseMetricsEnv, startMetricsServer, readiness } = await import('../../metrics');
        const metricsEnv = parseMetricsEnv(engine.env);
        const server = await serve({ engine, port: opts.port, host: opts.host });
        let metricsServer;
        try {
          metricsServer = await startMetricsServer({ metrics: engine.metrics, ...metricsEnv, ready: () => readiness(engine) });
        } catch (e) {
          await server.close();
          throw e;
        }
        engine.startScheduler();
        engine.startLiveMetrics();
        print(io, `MarketPipe is serving at ${server.url}`);
        if (!['127.0.0.1', 'localhost', '::1'].includes(opts.host)) {
          io.stderr.write(`warning: listening on ${opts.host}: other machines can reach this server (the token still guards it)\n`);
        }
        io.stderr.write(`Open the link above in your browser (it carries this run's access token). Ctrl+C stops.\nPrometheus metrics: ${metricsServer.url}/metrics\n`);
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await server.close();
        await metricsServer.close();
      }, 'serve');
    });

  return program;
}

function redactorFor(env: NodeJS.ProcessEnv): Redactor {
  try {
    return Redactor.fromEnv(withDotEnv(env));
  } catch {
    return Redactor.fromEnv(env);
  }
}

/** Runs the CLI; resolves with the exit code. Never throws, never prints a stack trace. */
export async function run(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit through here with code 0; parse errors were already printed by commander
      if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      return 2;
    }
    const err = toErrorValue(e);
    io.stderr.write(`marketpipe: error: ${redactorFor(io.env).text(err.message)}\n`);
    return exitCodeFor(err.code);
  }
}
