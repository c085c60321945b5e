import fs from 'node:fs';
import path from 'node:path';
import { MpError } from '../shared/errors';
import type { LakeCatalog, RetainedFile, Snapshot } from './catalog';
import { dirEntries, retainedRoot } from './layout';

// Snapshots (DuckLake's design over our SQLite catalog): every commit is a snapshot; a file row is live from its
// begin_snapshot until its end_snapshot; superseded files wait in <data>/lake/retained until `lake vacuum` removes
// those older than MP_RETAIN_DAYS. `query --as-of JOB_ID|ISO_TIME` reads the lake as a snapshot left it.

/** Days superseded files are kept (MP_RETAIN_DAYS). */
export const RETAIN_DAYS = 7;

const DAY_MS = 86_400_000;

/** An ISO time; without an offset it is UTC. */
function parseTime(spec: string): number | null {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?))?(Z|[+-]\d{2}:?\d{2})?$/.exec(spec.trim());
  if (!m) return null;
  const offset = m[3] ?? 'Z';
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${offset === 'Z' ? 'Z' : offset.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`);
  return Number.isFinite(ms) ? ms : null;
}

const describe = (s: Snapshot) => `snapshot ${s.id} (${s.at})`;

/**
 * The snapshot `--as-of` names: a job id (the last commit of that job) or an ISO time (the last commit at or before
 * it; no offset means UTC). E_BAD_INPUT when there is none, or when it is older than what is retained. `label` starts
 * the message: the CLI's flag, or the Query page's "As of".
 */
export function resolveSnapshot(catalog: LakeCatalog, spec: string, label = '--as-of'): Snapshot {
  const oldest = catalog.oldestSnapshot();
  const ms = parseTime(spec);
  let s: Snapshot | undefined;
  if (ms !== null) {
    s = catalog.snapshotAt(ms);
    if (!s || s.id < oldest.id) throw new MpError('E_BAD_INPUT', `${label} ${spec}: older than the oldest retained snapshot, ${describe(oldest)}`);
  } else {
    s = catalog.snapshotOfJob(spec);
    if (!s) throw new MpError('E_BAD_INPUT', `${label} ${spec}: neither an ISO time (2024-07-01T12:00:00, UTC unless it has an offset) nor a job that wrote to the lake; the oldest retained snapshot is ${describe(oldest)}`);
    if (s.id < oldest.id) throw new MpError('E_BAD_INPUT', `${label} ${spec}: job ${spec}'s snapshot ${s.id} is older than the oldest retained snapshot, ${describe(oldest)}`);
  }
  return s;
}

/**
 * The lake's files as `spec` names it: the files of that snapshot (live ones in the tree, superseded ones retained).
 * A snapshot that held a damaged file (found bad, or quarantined since by `lake repair`) is refused naming it, rather
 * than read without its rows (E_IO, as a query of a live damaged file).
 */
export function filesAsOf(catalog: LakeCatalog, spec: string, label = '--as-of'): { snapshot: Snapshot; files: string[] } {
  const snapshot = resolveSnapshot(catalog, spec, label);
  const damaged = catalog.damagedAt(snapshot.id);
  if (damaged.length > 0) {
    const d = damaged[0]!;
    const more = damaged.length > 1 ? ` (and ${damaged.length - 1} more)` : '';
    const what = d.quarantined
      ? `which \`marketpipe lake repair\` took out of the lake as damaged (${d.problem}); that snapshot can no longer be read in full`
      : `which is damaged (${d.problem}); run \`marketpipe lake repair\``;
    throw new MpError('E_IO', `${label} ${spec}: ${describe(snapshot)} needs lake file ${d.rel}${more}, ${what}`);
  }
  return { snapshot, files: catalog.filesAt(snapshot.id) };
}

export interface VacuumPlan {
  files: RetainedFile[];
  /** files in the retained area the catalog no longer knows (a pruned partition's history) */
  strays: Array<{ file: string; bytes: number }>;
  bytes: number;
  /** the oldest snapshot readable once these are gone */
  oldest: Snapshot;
}

function walk(dir: string): string[] {
  const entries = dirEntries(dir);
  return entries.flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** What `lake vacuum` removes: superseded files ended more than `retainDays` ago, and strays of the retained area. */
export function planVacuum(catalog: LakeCatalog, barsRoot: string, retainDays: number, now = Date.now()): VacuumPlan {
  const cutoff = now - retainDays * DAY_MS;
  const all = catalog.retained();
  const files = all.filter((r) => r.endedAtMs < cutoff);
  const known = new Set(all.map((r) => path.resolve(r.file)));
  const strays = walk(retainedRoot(barsRoot))
    .filter((f) => !known.has(path.resolve(f)))
    .map((file) => ({ file, bytes: fs.statSync(file).size }));
  // a snapshot needs every file live in it: after the vacuum, the first readable one is the last vacuumed file's end
  const current = catalog.oldestSnapshot();
  const floor = files.reduce((m, r) => Math.max(m, r.endSnapshot), current.id);
  const readable = floor > current.id ? catalog.snapshotFrom(floor) : current;
  const bytes = files.reduce((n, r) => n + r.bytes, 0) + strays.reduce((n, r) => n + r.bytes, 0);
  return { files, strays, bytes, oldest: readable };
}

/** Carries out a plan: the catalog forgets the files first, then they are deleted (a crash leaves strays, removed next time). */
export function applyVacuum(catalog: LakeCatalog, plan: VacuumPlan): void {
  catalog.forgetRetained(
    plan.files.map((f) => f.file),
    plan.oldest.id,
  );
  for (const f of [...plan.files, ...plan.strays]) fs.rmSync(f.file, { force: true });
}
