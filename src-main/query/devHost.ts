import path from 'node:path';
import { devBundle } from '../shared/devBundle';

// From the source tree (tests, vitest) the query process's script is not built yet: host.ts is bundled once into
// `out/dev/` by shared/devBundle.ts, so every test process and every query process start reuses it (a TypeScript
// loader in each query process would cost about a CPU-second per start).

/** The bundled query host for the source tree (host.ts beside this file). */
export function devHostScript(): Promise<string> {
  return devBundle(path.join(__dirname, 'host.ts'));
}
