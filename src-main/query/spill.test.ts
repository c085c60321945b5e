import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTmpDir, type TmpDir } from '../testing/tmp';
import { DuckQueryService } from './service';

// Where the query engine spills: a folder of the data dir (never the process's working directory), swept when the
// service opens (a crash leaves spill files behind), capped, and out of reach of user SQL.

let tmp: TmpDir | undefined;
let svc: DuckQueryService | undefined;
afterEach(() => {
  svc?.close();
  tmp?.cleanup();
});

describe('query spill folder', () => {
  it('spills into its own folder of the data dir, capped, and sweeps what dead processes left on open', async () => {
    tmp = makeTmpDir('mp-spill-');
    const bars = path.join(tmp.dir, 'lake', 'bars');
    fs.mkdirSync(bars, { recursive: true });
    const root = path.join(tmp.dir, 'tmp', 'query-spill');
    // what a killed process left behind (no process has pid 2^22 + 1 here), and a stray file
    fs.mkdirSync(path.join(root, '4194305'), { recursive: true });
    fs.writeFileSync(path.join(root, '4194305', 'duckdb_temp_storage-0.tmp'), 'x'.repeat(1000));
    fs.writeFileSync(path.join(root, 'stray.tmp'), 'x');
    svc = await DuckQueryService.open(path.join(tmp.dir, 'lake'), bars, undefined, { spillDir: root, memoryLimit: '64MB', maxSpill: '2GB' });
    expect(fs.readdirSync(root)).toEqual([String(process.pid)]);
    const spillDir = path.join(root, String(process.pid));
    const setting = await svc.run({ sql: `SELECT current_setting('temp_directory') AS d, current_setting('max_temp_directory_size') AS m`, maxRows: 1 });
    expect(setting.rows[0]![0]).toBe(spillDir);
    expect(String(setting.rows[0]![1])).toMatch(/GiB|GB/);
    // an aggregation bigger than the 64 MB limit finishes by spilling
    const big = await svc.run({ sql: 'SELECT count(*) FROM (SELECT range % 4000037 AS k, count(*) AS n, max(range) AS m FROM range(12000000) GROUP BY k)', maxRows: 1, timeoutMs: 120_000 });
    expect(big.rows).toEqual([[4000037]]);
    // nothing from the query is left in the working directory
    expect(fs.existsSync(path.join(process.cwd(), '.tmp'))).toBe(false);
  });
});
