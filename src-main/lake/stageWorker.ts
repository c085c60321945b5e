// The lake stage worker (started by stageWorkers.ts; built by electron-vite as its own entry, out/main/stageWorker.js):
// steps 1 and 2 of the group commit (stage.ts) on a DuckDB of its own, off the engine's event loop. The appender's
// synchronous appends and flushes and the COPY statements' JS side were the largest blocks left on the engine's thread
// during an ingest (issue 13); the engine keeps the rest of the commit (checksums, fsync, rename, the catalog).
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { serveTasks } from '../shared/workers';
import { STAGE_MEMORY } from './memory';
import { sha256File } from './publish';
import { writeGroupFiles } from './stage';
import { requestsOf, STAGE_TASKS } from './stageTasks';

/** connections the group's own COPY statements run on at once (as the writer's lanes) */
const LANES = 3;

let lanes: Promise<DuckDBConnection[]> | undefined;
let instance: DuckDBInstance | undefined;

async function open(tempDir: string | null): Promise<DuckDBConnection[]> {
  if (tempDir) fs.mkdirSync(tempDir, { recursive: true });
  instance = await DuckDBInstance.create(':memory:', { memory_limit: STAGE_MEMORY, ...(tempDir ? { temp_directory: tempDir } : {}) });
  const out: DuckDBConnection[] = [];
  for (let i = 0; i < LANES; i++) {
    const conn = await instance.connect();
    // timestamps are UTC everywhere in the lake, as on the writer's own connections
    await conn.run(`SET TimeZone = 'UTC'`);
    out.push(conn);
  }
  return out;
}

serveTasks(STAGE_TASKS, {
  'stage.open': async ({ tempDir }) => {
    lanes ??= open(tempDir);
    await lanes;
    return { value: null };
  },
  'stage.group': async (arg) => {
    lanes ??= open(arg.tempDir);
    const staged = await writeGroupFiles(path.resolve(arg.barsRoot), await lanes, requestsOf(arg), { files: arg.items.map((it) => it.file), group: arg.group });
    // the files' checksums here too: hashing a group's files (tens of MB) on the engine's thread held its loop
    const sums = await Promise.all(staged.tmps.map(async (f) => ({ bytes: (await fs.promises.stat(f)).size, sha256: await sha256File(f) })));
    return { value: { ...staged, sums } };
  },
  'stage.close': async () => {
    const open = lanes;
    lanes = undefined;
    if (open) for (const conn of await open.catch(() => [])) conn.closeSync();
    instance?.closeSync();
    instance = undefined;
    return { value: null };
  },
});
