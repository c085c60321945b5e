import { PassThrough } from 'node:stream';
import { run } from './main';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `marketpipe --data-dir DIR ...args` in-process (tests): its exit code and everything it printed. */
export async function runCli(dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = await run(['node', 'marketpipe', '--data-dir', dataDir, ...args], { stdout, stderr, env });
  stdout.end();
  stderr.end();
  return { code, stdout: out, stderr: err };
}
