import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type WebSocket from 'ws';
import { Engine } from '../../engine';
import { makeTmpDir, type TmpDir } from '../../testing/tmp';
import { serve, type RunningServer, type ServeOptions } from './server';

export interface TestServer {
  /** the test's own temp folder: `data/` (the engine's) and `renderer/` (the files served) live in it */
  readonly dir: string;
  readonly rendererDir: string;
  readonly engine: Engine;
  readonly server: RunningServer;
  /** sockets a test opened: terminated after it */
  readonly sockets: WebSocket[];
}

/**
 * `marketpipe serve` for every test of the file: a real engine on a fresh temp folder, served on 127.0.0.1:0 with a
 * renderer of the given files (default: one index.html); registers the beforeEach that starts it and the afterEach
 * that closes sockets, server and engine and removes the folder.
 */
export function useTestServer(
  prefix: string,
  opts: { files?: Record<string, string>; serve?: Partial<ServeOptions>; before?: (dir: string) => void } = {},
): TestServer {
  let tmp: TmpDir | undefined;
  let engine: Engine | undefined;
  let server: RunningServer | undefined;
  const sockets: WebSocket[] = [];
  const rendererDir = () => path.join(tmp!.dir, 'renderer');
  beforeEach(async () => {
    tmp = makeTmpDir(prefix);
    for (const [name, body] of Object.entries(opts.files ?? { 'index.html': '<!doctype html><title>t</title>\n' })) {
      const file = path.join(rendererDir(), name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, body);
    }
    opts.before?.(tmp.dir);
    engine = new Engine({ dataDir: path.join(tmp.dir, 'data'), host: 'test', env: {} });
    server = await serve({ engine, port: 0, host: '127.0.0.1', rendererDir: rendererDir(), ...opts.serve });
  });
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await server?.close();
    await engine?.close();
    tmp?.cleanup();
    tmp = engine = server = undefined;
  });
  return {
    get dir() {
      return tmp!.dir;
    },
    get rendererDir() {
      return rendererDir();
    },
    get engine() {
      return engine!;
    },
    get server() {
      return server!;
    },
    sockets,
  };
}
