import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { MpError } from '../shared/errors';

/**
 * The CLI reads credentials from the environment or from a `.env` file in the working directory (read only: the CLI
 * never writes credentials anywhere). Variables already set in the environment win over the file.
 */
export function withDotEnv(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): NodeJS.ProcessEnv {
  const file = path.join(cwd, '.env');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return env;
  }
  let parsed: Record<string, string>;
  try {
    parsed = parseEnv(text) as Record<string, string>;
  } catch (e) {
    throw new MpError('E_BAD_INPUT', `${file}: not a valid .env file (${e instanceof Error ? e.message : String(e)})`);
  }
  return { ...parsed, ...env };
}
