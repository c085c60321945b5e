import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { loadMigrations, migrate, migrationStatus } from './migrations';
import { openDb } from './open';
import { TimelineStore } from '../pipeline/timeline';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-mig-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const v1 = { '/m/0001_init.sql': 'CREATE TABLE a (x INTEGER);' };
const v2 = { ...v1, '/m/0002_more.sql': 'CREATE TABLE b (y INTEGER);' };

describe('migrations', () => {
  it('ships contiguous migrations that apply to a new database', () => {
    const known = loadMigrations();
    expect(known[0]?.name).toBe('0001_init.sql');
    const db = openDb(path.join(dir, 'm.db'));
    expect(migrate(db)).toEqual(known.map((m) => m.name));
    expect(migrate(db)).toEqual([]);
    expect(migrationStatus(db).every((s) => s.state === 'applied')).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('records id and hash, and applies only what is pending', () => {
    const db = new Database(path.join(dir, 'm.db'));
    expect(migrate(db, loadMigrations(v1))).toEqual(['0001_init.sql']);
    expect(migrationStatus(db, loadMigrations(v2)).map((s) => s.state)).toEqual(['applied', 'pending']);
    expect(migrate(db, loadMigrations(v2))).toEqual(['0002_more.sql']);
    const rows = db.prepare('SELECT id, name, length(sha256) AS h FROM schema_migrations ORDER BY id').all();
    expect(rows).toEqual([
      { id: 1, name: '0001_init.sql', h: 64 },
      { id: 2, name: '0002_more.sql', h: 64 },
    ]);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
  });

  it('refuses a database from a newer version', () => {
    const db = new Database(path.join(dir, 'm.db'));
    migrate(db, loadMigrations(v2));
    expect(() => migrate(db, loadMigrations(v1))).toThrow(/newer MarketPipe/);
    expect(() => migrationStatus(db, loadMigrations(v1))).toThrow(/newer MarketPipe/);
    db.close();
  });

  it('refuses an applied migration that was edited', () => {
    const db = new Database(path.join(dir, 'm.db'));
    migrate(db, loadMigrations(v1));
    const edited = { '/m/0001_init.sql': 'CREATE TABLE a (x INTEGER, z TEXT);' };
    expect(() => migrate(db, loadMigrations(edited))).toThrow(/0001_init.sql was changed after it was applied/);
    db.close();
  });

  it('rolls back every pending migration when one fails, and keeps the database', () => {
    const file = path.join(dir, 'm.db');
    const db = new Database(file);
    migrate(db, loadMigrations(v1));
    db.prepare('INSERT INTO a VALUES (42)').run();
    const broken = { ...v2, '/m/0003_bad.sql': 'CREATE TABLE c (z INTEGER); THIS IS NOT SQL;' };
    expect(() => migrate(db, loadMigrations(broken))).toThrow(/0003_bad.sql failed/);
    // neither 0002 nor 0003 left anything behind; the data is still there
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all();
    expect(tables).toEqual(['a', 'schema_migrations']);
    expect(db.prepare('SELECT x FROM a').pluck().get()).toBe(42);
    db.close();
    expect(fs.existsSync(file)).toBe(true);
  });

  it('refuses badly named or gapped migration files', () => {
    expect(() => loadMigrations({ '/m/init.sql': '' })).toThrow(/0001_name.sql/);
    expect(() => loadMigrations({ '/m/0001_a.sql': '', '/m/0003_c.sql': '' })).toThrow(/without gaps/);
  });

  it('does not treat CRLF line endings as an edit', () => {
    const db = new Database(path.join(dir, 'm.db'));
    migrate(db, loadMigrations({ '/m/0001_init.sql': 'CREATE TABLE a (x INTEGER);\nCREATE TABLE b (y INTEGER);\n' }));
    expect(migrate(db, loadMigrations({ '/m/0001_init.sql': 'CREATE TABLE a (x INTEGER);\r\nCREATE TABLE b (y INTEGER);\r\n' }))).toEqual([]);
    db.close();
  });

  it('0009 renames the recorded pipeline events to the domain.event scheme, which the timeline reads', () => {
    const db = openDb(path.join(dir, 'm.db'));
    const known = loadMigrations();
    migrate(db, known.slice(0, 8));
    const ins = db.prepare(`INSERT INTO job_events (id, job_id, seq, type, occurred_at, causation_id, payload) VALUES (?, 'j1', ?, ?, ?, NULL, ?)`);
    const old = [
      ['IngestionJobCompleted', { jobId: 'j1', status: 'succeeded', fetchMs: 5, writeMs: 3, rowsWritten: 10 }],
      ['ValidationCompleted', { jobId: 'j1', runId: 'r1', findings: 2, errors: 1, warnings: 1, infos: 0, durationMs: 7 }],
      ['PipelineStageFailed', { jobId: 'j1', stage: 'aggregate', code: 'E_IO', message: 'disk', durationMs: 1 }],
      ['PipelineStageSkipped', { jobId: 'j1', stage: 'aggregate', reason: 'r' }],
      ['AggregationCompleted', { jobId: 'j1', timeframes: ['5m'], partitions: 1, rowsWritten: 2, durationMs: 4 }],
    ] as const;
    old.forEach(([type, payload], i) => ins.run(`e${i}`, i, type, `2024-01-02T00:00:0${i}Z`, JSON.stringify(payload)));
    expect(migrate(db, known.slice(0, 9))).toEqual(['0009_event_names.sql']);
    const events = new TimelineStore(db).timeline('j1', null);
    expect(events.events.map((e) => e.type)).toEqual(['ingest.completed', 'validation.completed', 'pipeline.failed', 'pipeline.skipped', 'aggregate.completed']);
    expect(events.events[1]!.payload).toMatchObject({ kind: 'validation', runId: 'r1' });
    expect(events.stages.map((st) => `${st.stage}:${st.status}`)).toEqual(['fetch:done', 'write:done', 'validate:done', 'aggregate:done']);
    db.close();
  });
});
