import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from './main';

// docs/cli.md is generated from the commands' own --help by scripts/cli-docs.mjs (npm run docs:cli). This test renders
// it again in memory with the script's own functions, from the CLI's sources (no build, no process spawned), and
// fails when the file differs: a help text changed and the reference was not regenerated.

interface CliDocsScript {
  DOC_PATH: string;
  STALE_MESSAGE: string;
  renderCliDoc(runCli: typeof run, currentDoc: string): Promise<string>;
  listedCommands(help: string): { name: string; description: string }[];
}

const scriptUrl = pathToFileURL(path.resolve(__dirname, '../../../scripts/cli-docs.mjs')).href;
const loadScript = async (): Promise<CliDocsScript> => (await import(scriptUrl)) as CliDocsScript;

describe('docs/cli.md', () => {
  it('is the commands\' --help as they are now', async () => {
    const script = await loadScript();
    const current = readFileSync(script.DOC_PATH, 'utf8');
    const expected = await script.renderCliDoc(run, current);
    if (expected !== current) expect.fail(script.STALE_MESSAGE);
  });

  it('finds commands, their wrapped descriptions and subcommands in a help text', async () => {
    const { listedCommands } = await loadScript();
    const help = [
      'Usage: marketpipe [options] [command]',
      '',
      'Commands:',
      '  jobs [options] [jobId]  list ingestion jobs, newest first; with a job id, its',
      '                          per-symbol status',
      '  universe                manage universes',
      '  help [command]          display help for command',
      '',
    ].join('\n');
    expect(listedCommands(help)).toEqual([
      { name: 'jobs', description: 'list ingestion jobs, newest first; with a job id, its per-symbol status' },
      { name: 'universe', description: 'manage universes' },
    ]);
    expect(listedCommands('Usage: marketpipe query [options] <sql>\n')).toEqual([]);
  });
});
