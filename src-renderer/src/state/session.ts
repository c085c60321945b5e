import { create } from 'zustand';
import type { AppInfo, ProviderInfo } from '../../../src-main/contract/schemas';
import type { Client, ConnectionStatus } from '../client';
import { useJobs } from './jobs';

interface SessionState {
  status: ConnectionStatus;
  info: AppInfo | null;
  providers: ProviderInfo[] | null;
  providersError: string | null;
}

export const useSession = create<SessionState>()(() => ({
  status: 'connecting',
  info: null,
  providers: null,
  providersError: null,
}));

export async function refreshJobs(client: Client): Promise<void> {
  const r = await client.request('jobs.list', { limit: 100 });
  if (r.ok) useJobs.getState().replaceFromList(r.value);
  else useJobs.getState().setLoadError(`${r.error.code}: ${r.error.message}`);
}

async function refreshBasics(client: Client): Promise<void> {
  const [info, providers] = await Promise.all([client.request('app.info', {}), client.request('providers.list', {})]);
  if (info.ok) useSession.setState({ info: info.value });
  if (providers.ok) useSession.setState({ providers: providers.value, providersError: null });
  else useSession.setState({ providersError: `${providers.error.code}: ${providers.error.message}` });
}

/**
 * Wires the client to the stores: events feed the jobs store (no polling), and every (re)connection refetches what
 * may have changed while we were away.
 */
export function startSession(client: Client): () => void {
  const offs = [
    client.on('job.updated', (job) => useJobs.getState().upsert(job)),
    client.on('job.progress', (p) => useJobs.getState().progress(p)),
    client.onStatus((status) => {
      useSession.setState({ status });
      if (status === 'open') {
        void refreshBasics(client);
        void refreshJobs(client);
      }
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
