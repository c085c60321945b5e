import { create } from 'zustand';
import type { AppInfo, ProviderInfo } from '../../../src-main/contract/schemas';
import type { Client, ConnectionStatus } from '../client';
import { refreshJobValidations, useJobs } from './jobs';
import { useMetrics } from './metrics';
import { useTasks } from './tasks';
import { useTimelines } from './timeline';
import { notifyJob } from './toasts';
import { PIPELINE_EVENT_TYPES } from '../../../src-main/contract/pipeline';
import { errorText } from '../errorWords';

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
  else useJobs.getState().setLoadError(errorText(r.error));
  await refreshJobValidations(client);
}

/** One `jobs.tasks` for a job whose details open; `jobs.unit` events keep it current from then on. */
export async function loadTasks(client: Client, jobId: string): Promise<void> {
  useTasks.getState().begin(jobId);
  void loadTimeline(client, jobId);
  const r = await client.request('jobs.tasks', { jobId });
  if (r.ok) useTasks.getState().loaded(jobId, r.value);
  else useTasks.getState().failed(jobId, errorText(r.error));
}

/** The stage timeline of a job whose details are open; pipeline events refresh it. */
async function loadTimeline(client: Client, jobId: string): Promise<void> {
  const r = await client.request('jobs.timeline', { jobId });
  if (r.ok) useTimelines.getState().loaded(r.value);
  else useTimelines.getState().failed(jobId, errorText(r.error));
}

/** The provider list again: whether each is configured changes when a credential is stored or cleared. */
export async function refreshProviders(client: Client): Promise<void> {
  const providers = await client.request('providers.list', {});
  if (providers.ok) useSession.setState({ providers: providers.value, providersError: null });
  else useSession.setState({ providersError: errorText(providers.error) });
}

async function refreshBasics(client: Client): Promise<void> {
  const [info] = await Promise.all([client.request('app.info', {}), refreshProviders(client)]);
  if (info.ok) useSession.setState({ info: info.value });
}

/**
 * Wires the client to the stores: events feed the jobs store (no polling), and every (re)connection refetches what
 * may have changed while we were away.
 */
export function startSession(client: Client): () => void {
  const offs = [
    client.on('jobs.updated', (job) => {
      useJobs.getState().upsert(job);
      notifyJob(job);
    }),
    client.on('jobs.progress', (p) => useJobs.getState().progress(p)),
    client.on('jobs.unit', (u) => useTasks.getState().unit(u)),
    // a job's validation result, for its row
    client.on('validation.completed', (v) => {
      if (v.kind === 'validation') useJobs.getState().validated([{ jobId: v.jobId, runId: v.runId, errors: v.errors, warnings: v.warnings, infos: v.infos ?? 0 }]);
    }),
    // a stage of an open job ended: its timeline again (one small request, a few times per job)
    ...PIPELINE_EVENT_TYPES.map((type) =>
      client.on(type, (p: { jobId: string | null }) => {
        if (p.jobId && useTasks.getState().open[p.jobId]) void loadTimeline(client, p.jobId);
      }),
    ),
    // collected whichever page is open (the store keeps a bounded window), so the Metrics page opens with data
    client.on('metrics.live', (m) => useMetrics.getState().push(m)),
    client.onStatus((status) => {
      useSession.setState({ status });
      if (status === 'open') {
        void refreshBasics(client);
        void refreshJobs(client);
        // Units that became durable while we were away sent events nobody received: fetch open details again.
        for (const jobId of Object.keys(useTasks.getState().open)) void loadTasks(client, jobId);
      }
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
