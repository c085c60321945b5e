import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTmpDir, type TmpDir } from '../../testing/tmp';
import { runCli } from './testing';

// `universe create --rule`, `universe refresh`, `universe preview`, in-process, over fake-provider data.

const cli = runCli;

let tmp: TmpDir;
beforeEach(() => {
  tmp = makeTmpDir('mp-cli-rule-');
});
afterEach(() => tmp.cleanup());

describe('marketpipe universe --rule', () => {
  it('creates a dynamic universe, refreshes it after new data, and refuses bad SQL with exit 2 changing nothing', async () => {
    const dir = tmp.dir;
    expect((await cli(dir, ['ingest', '--provider', 'fake', '--symbols', 'AAA,BBB', '--start', '2024-01-02', '--end', '2024-01-04'])).code).toBe(0);
    expect((await cli(dir, ['ingest', '--provider', 'fake', '--symbols', 'CCC', '--start', '2024-01-02', '--end', '2024-01-02'])).code).toBe(0);

    const created = await cli(dir, ['universe', 'create', 'Active', '--rule', 'sessions >= 3 AND adv20 > 0', '--json']);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'Active', symbols: ['AAA', 'BBB'], rule: 'sessions >= 3 AND adv20 > 0' });

    const preview = await cli(dir, ['universe', 'preview', "SELECT DISTINCT symbol FROM bars WHERE symbol LIKE 'C%'"]);
    expect(preview.stdout.trim()).toBe('1 symbol(s): CCC');

    expect((await cli(dir, ['ingest', '--provider', 'fake', '--symbols', 'CCC', '--start', '2024-01-03', '--end', '2024-01-04'])).code).toBe(0);
    const dry = await cli(dir, ['universe', 'refresh', 'Active', '--dry-run', '--json']);
    expect(JSON.parse(dry.stdout)).toMatchObject({ added: ['CCC'], removed: [] });
    const refreshed = await cli(dir, ['universe', 'refresh', 'Active']);
    expect(refreshed.stdout.trim()).toBe('added CCC; removed none; Active has 3 symbol(s), v2');

    const before = (await cli(dir, ['universe', 'list', '--json'])).stdout;
    for (const rule of ['adv20 >>> 1', "SELECT symbol FROM read_csv('/etc/passwd')", 'true; DROP VIEW bars']) {
      const r = await cli(dir, ['universe', 'create', 'Bad', '--rule', rule]);
      expect(r.code, rule).toBe(2);
      const lines = r.stderr.split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^marketpipe: .*rule/);
    }
    expect((await cli(dir, ['universe', 'list', '--json'])).stdout).toBe(before);
    expect((await cli(dir, ['universe', 'create', 'X', '--rule', 'true', '--symbols', 'A'])).code).toBe(2);
  });
});
