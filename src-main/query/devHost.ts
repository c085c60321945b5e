import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// From the source tree (tests, vitest) the query process's script is not built yet: bundle host.ts once into
// `out/dev/` (beside node_modules, which it loads @duckdb from), named by a hash of the engine's sources, so every test
// process and every query process start reuses it (a TypeScript loader in each query process would cost about a
// CPU-second per start).

function sourcesHash(root: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) h.update(p).update(fs.readFileSync(p));
    }
  };
  walk(root);
  return h.digest('hex').slice(0, 16);
}

let built: Promise<string> | undefined;

/** The bundled query host for the source tree (host.ts beside this file). */
export function devHostScript(): Promise<string> {
  built ??= (async () => {
    const srcMain = path.join(__dirname, '..');
    const dir = path.join(srcMain, '..', 'out', 'dev');
    fs.mkdirSync(dir, { recursive: true });
    const out = path.join(dir, `queryHost-${sourcesHash(srcMain)}.cjs`);
    if (fs.existsSync(out)) return out;
    // rolldown comes with vite (a development dependency); external in the app's build (electron.vite.config.ts), and
    // this code runs only from the source tree
    const { build } = (await import('rolldown')) as { build(o: unknown): Promise<unknown> };
    const tmp = `${out}.${process.pid}.tmp`;
    await build({
      input: path.join(__dirname, 'host.ts'),
      platform: 'node',
      external: [/^@duckdb\//, /^node:/],
      output: { file: tmp, format: 'cjs' },
      logLevel: 'silent',
    });
    fs.renameSync(tmp, out);
    return out;
  })();
  return built;
}
