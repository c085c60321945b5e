import { create } from 'zustand';
import type { LakeRepairResult, LakeVerifyResult } from '../../../src-main/contract/lake';
import type { ErrorValue } from '../../../src-main/shared/errors';
import type { Client } from '../client';
import { TERMINAL } from './jobs';

// The lake's health on the Ingest page: the engine's quick check (every catalogued file present, at its size) on
// arrival and after each repair, and the Repair action (`marketpipe lake repair`: bad or foreign files to
// <data>/quarantine/, derived timeframes rebuilt, and what to fetch again).

export type LakeProblem = LakeVerifyResult['problems'][number];

interface LakeHealthState {
  /** problems of the last quick check; null before the first answer */
  problems: LakeProblem[] | null;
  repairing: boolean;
  /** what the last repair did, until the next check finds new problems */
  repaired: LakeRepairResult | null;
  error: ErrorValue | null;
}

export const useLakeHealth = create<LakeHealthState>()(() => ({ problems: null, repairing: false, repaired: null, error: null }));

/** Runs the quick check (presence and size of every catalogued file). */
export async function checkLake(client: Client): Promise<void> {
  const r = await client.request('lake.verify', { quick: true });
  if (r.ok) useLakeHealth.setState({ problems: r.value.problems, error: null });
  else useLakeHealth.setState({ error: r.error });
}

/** Checks now, on reconnection and whenever a job ends (a job rewrites files); returns the unsubscribe. */
export function watchLakeHealth(client: Client): () => void {
  const offStatus = client.onStatus((s) => {
    if (s === 'open') void checkLake(client);
  });
  const offJob = client.on('jobs.updated', (j) => {
    if (TERMINAL.has(j.status)) void checkLake(client);
  });
  void checkLake(client);
  return () => {
    offStatus();
    offJob();
  };
}

/** Repairs the lake, then checks it again. */
export async function repairLake(client: Client): Promise<void> {
  useLakeHealth.setState({ repairing: true, error: null, repaired: null });
  const r = await client.request('lake.repair', {});
  useLakeHealth.setState(r.ok ? { repairing: false, repaired: r.value } : { repairing: false, error: r.error });
  await checkLake(client);
}

/** One line for a problem: "lake/bars/…/part.parquet: size (expected 1,234 bytes, found 10)". */
export function problemLine(p: LakeProblem): string {
  return `${p.file}: ${p.kind}${p.detail ? ` (${p.detail})` : ''}`;
}
