import { Command } from 'commander';
import { MpError } from '../../../shared/errors';
import { splitSymbols } from '../options';
import type { Universe } from '../../../contract/schemas';
import { print, request, withEngine } from '../context';
import type { CliIo } from '../context';

export function registerUniverse(program: Command, io: CliIo): void {
  const universe = program.command('universe').description('manage universes: named, versioned symbol lists');
  const json = (cmd: Command) => cmd.opts<{ json?: boolean }>().json === true;
  const showUniverse = (u: Universe, cmd: Command) => {
    if (json(cmd)) return print(io, JSON.stringify(u));
    print(io, `${u.name}  v${u.version}  ${u.symbols.length} symbol(s)${u.tags.length ? '  tags: ' + u.tags.join(', ') : ''}${u.exchange ? '  ' + u.exchange : ''}${u.assetClass ? '  ' + u.assetClass : ''}`);
    if (u.rule) print(io, `rule: ${u.rule}`);
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
    .option('--rule <sql>', 'a dynamic universe: a SQL predicate over the per-symbol summary (e.g. "adv20 > 1000000") or a SELECT returning a symbol column')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { symbols?: string; tags?: string; exchange?: string; assetClass?: string; rule?: string }, cmd: Command) =>
      withEngine(cmd, io, async (engine) => {
        if (o.rule !== undefined) {
          if (o.symbols) throw new MpError('E_BAD_INPUT', '--rule and --symbols: give one (a dynamic universe takes its symbols from its rule)');
          const r = await request(engine, 'universe.createDynamic', {
            name,
            rule: o.rule,
            ...(o.tags ? { tags: o.tags.split(',').map((t) => t.trim()).filter(Boolean) } : {}),
            ...(o.exchange ? { exchange: o.exchange } : {}),
            ...(o.assetClass ? { assetClass: o.assetClass } : {}),
          });
          return showUniverse(r.universe, cmd);
        }
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
    .command('refresh')
    .argument('<name>')
    .description("run a dynamic universe's rule and apply it: matching symbols added, others removed (kept in its history)")
    .option('--dry-run', 'only tell what would change')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { dryRun?: boolean }, cmd: Command) =>
      withEngine(cmd, io, async (engine) => {
        const r = o.dryRun ? await request(engine, 'universe.evaluate', { name }) : await request(engine, 'universe.refresh', { name });
        if (json(cmd)) return print(io, JSON.stringify(r));
        const list = (xs: string[]) => (xs.length ? xs.join(', ') : 'none');
        const size = 'universe' in r ? `; ${r.universe.name} has ${r.universe.symbols.length} symbol(s), v${r.universe.version}` : ` (dry run: ${r.symbols.length} match)`;
        print(io, `added ${list(r.added)}; removed ${list(r.removed)}${size}`);
      }),
    );

  universe
    .command('preview')
    .argument('<sql>', 'a rule, as for create --rule')
    .description('the symbols a rule matches now (nothing is saved)')
    .option('--json', 'print JSON')
    .action(async (sql: string, _o: unknown, cmd: Command) =>
      withEngine(cmd, io, async (engine) => {
        const r = await request(engine, 'universe.preview', { sql });
        if (json(cmd)) return print(io, JSON.stringify(r));
        print(io, `${r.symbols.length} symbol(s)${r.symbols.length ? ': ' + r.symbols.join(' ') : ''}`);
      }),
    );

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
      const { symbolsFromCsv } = await import('../../../universe/csv');
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
        const { universeToCsv } = await import('../../../universe/csv');
        const { fileSink, stdoutSink } = await import('../output');
        const out = file ? fileSink(file) : stdoutSink(io.stdout);
        await out.write(universeToCsv(await request(engine, 'universe.get', { name })));
        await out.end();
      }),
    );
}
