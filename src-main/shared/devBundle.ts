import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// From the source tree (tests, vitest) a worker thread's script is TypeScript that no loader will run: bundle the entry
// once into `out/dev/` (beside node_modules, which the bundle loads its dependencies from), named by a hash of the
// engine's sources, so every test process reuses it. The built app has the script as its own electron-vite entry.
// (query/devHost.ts uses it for the query process.)

function sourcesHash(dirs: string[]): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) h.update(p).update(fs.readFileSync(p));
    }
  };
  for (const d of dirs) walk(d);
  return h.digest('hex').slice(0, 16);
}

const built = new Map<string, Promise<string>>();

/** The CommonJS bundle of a source-tree entry (a .ts file under src-main), built once per source version. */
export function devBundle(entry: string): Promise<string> {
  let p = built.get(entry);
  if (!p) {
    p = (async () => {
      const srcMain = path.join(__dirname, '..');
      const root = path.join(srcMain, '..');
      const dir = path.join(root, 'out', 'dev');
      fs.mkdirSync(dir, { recursive: true });
      const out = path.join(dir, `${path.basename(entry, '.ts')}-${sourcesHash([srcMain, path.join(root, 'src-common')])}.cjs`);
      if (fs.existsSync(out)) return out;
      // rolldown comes with vite (a development dependency); external in the app's build (electron.vite.config.ts)
      const { build } = (await import('rolldown')) as { build(o: unknown): Promise<unknown> };
      const tmp = `${out}.${process.pid}.tmp`;
      await build({
        input: entry,
        platform: 'node',
        // packages load from node_modules at run time, as in the app's build
        external: (id: string) => !id.startsWith('.') && !path.isAbsolute(id),
        output: { file: tmp, format: 'cjs' },
        logLevel: 'silent',
      });
      fs.renameSync(tmp, out);
      return out;
    })();
    built.set(entry, p);
  }
  return p;
}
