import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { inProcessClient } from '../contract/dispatcher';
import type { Cell } from '../contract/schemas';
import { Engine, type EngineOptions } from '../engine';
import { MpError } from '../shared/errors';
import { makeTmpDir, type TmpDir } from './tmp';

export interface TestEngine {
  /** the engine of the running test */
  readonly engine: Engine;
  /** the test's own temp folder (removed after the test) */
  readonly dir: string;
  /** the engine's data folder, inside `dir` */
  readonly dataDir: string;
  /** closes the engine and opens another on the same data folder (a later process), with these options on top */
  reopen(more?: Partial<EngineOptions>): Promise<Engine>;
}

/**
 * An engine on a fresh temp folder for every test of the file (host `test`, empty environment unless given):
 * registers the beforeEach that opens it and the afterEach that closes it and removes the folder.
 */
export function useTestEngine(prefix: string, options: Partial<EngineOptions> | (() => Partial<EngineOptions>) = {}): TestEngine {
  let tmp: TmpDir | undefined;
  let engine: Engine | undefined;
  let base: Partial<EngineOptions> = {};
  const dataDir = () => path.join(tmp!.dir, 'data');
  beforeEach(() => {
    tmp = makeTmpDir(prefix);
    base = typeof options === 'function' ? options() : options;
    engine = new Engine({ dataDir: dataDir(), host: 'test', env: {}, ...base });
  });
  afterEach(async () => {
    await engine?.close();
    tmp?.cleanup();
    engine = undefined;
    tmp = undefined;
  });
  return {
    get engine() {
      if (!engine) throw new Error('useTestEngine: no engine outside a test');
      return engine;
    },
    get dir() {
      return tmp!.dir;
    },
    get dataDir() {
      return dataDir();
    },
    async reopen(more = {}) {
      await engine?.close();
      engine = new Engine({ dataDir: dataDir(), host: 'test', env: {}, ...base, ...more });
      return engine;
    },
  };
}

/** The rows of a read-only query, through the contract (`query.open`, then `query.close`). */
export async function queryRows(engine: Engine, sql: string, limit = 1000): Promise<Cell[][]> {
  const client = inProcessClient(engine.dispatcher);
  const r = await client.request('query.open', { sql, limit });
  if (!r.ok) throw new MpError(r.error.code, r.error.message);
  await client.request('query.close', { queryId: r.value.queryId });
  return r.value.first.rows;
}
