import type { Client } from '../client';
import { TERMINAL } from './jobs';

/**
 * Whether the lake holds no data at all, for the empty states: told on arrival, on reconnection and whenever a job
 * ends (only answers that arrived; a failed check tells nothing). Returns the unsubscribe.
 */
export function watchLakeEmpty(client: Client, onChange: (empty: boolean) => void): () => void {
  let live = true;
  const check = async () => {
    const r = await client.request('lake.status', {});
    if (live && r.ok) onChange(r.value.empty);
  };
  const offStatus = client.onStatus((s) => {
    if (s === 'open') void check();
  });
  const offJob = client.on('jobs.updated', (j) => {
    if (TERMINAL.has(j.status)) void check();
  });
  void check();
  return () => {
    live = false;
    offStatus();
    offJob();
  };
}
