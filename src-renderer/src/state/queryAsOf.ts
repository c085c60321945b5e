import { create } from 'zustand';
import { AsOfSchema, type SnapshotView } from '../../../src-main/contract/query';
import type { Client } from '../client';

// The Query page's "As of": which snapshot of the lake the next run reads. Latest (the live lake) unless the user
// picks a past snapshot from the list (`query.snapshots`) or types a job id or ISO time; the engine resolves it as
// `marketpipe query --as-of` does, and the result says which snapshot it shows.

interface AsOfState {
  /** what query.open gets as `asOf`: a job id or an ISO time; null: Latest */
  spec: string | null;
  snapshots: SnapshotView[];
  oldest: SnapshotView | null;
  loading: boolean;
  /** why the list could not be loaded */
  listError: string | null;
}

export const useQueryAsOf = create<AsOfState>()(() => ({ spec: null, snapshots: [], oldest: null, loading: false, listError: null }));

/** Loads the snapshot list (newest first, a job by its last commit). */
export async function loadSnapshots(client: Client): Promise<void> {
  useQueryAsOf.setState({ loading: true, listError: null });
  const r = await client.request('query.snapshots', { limit: 200 });
  if (r.ok) useQueryAsOf.setState({ loading: false, snapshots: r.value.snapshots, oldest: r.value.oldest });
  else useQueryAsOf.setState({ loading: false, listError: r.error.message });
}

/** Picks a snapshot by its job id (or its time when it has no job), or Latest (null). */
export function asOfOf(s: SnapshotView | null): string | null {
  return s === null ? null : (s.jobId ?? s.at);
}

/**
 * Sets what the next run reads; a typed value is trimmed, empty means Latest. Returns the reason when the text cannot
 * be sent at all (too long); whether it names a snapshot is the engine's answer at run time.
 */
export function setAsOf(raw: string | null): string | null {
  if (raw === null || raw.trim() === '') {
    useQueryAsOf.setState({ spec: null });
    return null;
  }
  const parsed = AsOfSchema.safeParse(raw);
  if (!parsed.success) return parsed.error.issues[0]?.message ?? 'not a job id or ISO time';
  useQueryAsOf.setState({ spec: parsed.data });
  return null;
}

/** The short form of a job id in the list and the result header (the full id on hover). */
export function shortJob(jobId: string): string {
  return jobId.length > 12 ? `${jobId.slice(0, 8)}…` : jobId;
}
