import type { DomainHandlers } from '../contract/dispatcher';
import type { JobStore } from '../db/jobs';
import type { TimelineStore } from '../pipeline/timeline';
import { MpError } from '../shared/errors';
import type { IngestService } from './service';

export function ingestHandlers(ingest: IngestService): DomainHandlers<'ingest'> {
  return {
    'ingest.start': async (arg) => ({ jobId: (await ingest.start(arg)).id }),
    'ingest.cancel': async ({ jobId }) => ({ cancelled: ingest.cancel(jobId) }),
    'ingest.resume': async ({ jobId }) => ({ jobId: (await ingest.resume(jobId)).id }),
  };
}

export interface JobsDeps {
  jobs(): JobStore;
  timeline(): TimelineStore;
}

/** The jobs domain: ingestion jobs as recorded, their units and their timelines. */
export function jobsHandlers(d: JobsDeps): DomainHandlers<'jobs'> {
  const job = (jobId: string) => {
    const j = d.jobs().get(jobId);
    if (!j) throw new MpError('E_NOT_FOUND', `no job ${jobId}`);
    return j;
  };
  return {
    'jobs.list': async ({ limit }) => d.jobs().list(limit),
    'jobs.get': async ({ jobId }) => job(jobId),
    'jobs.tasks': async ({ jobId }) => {
      job(jobId);
      return d.jobs().tasks(jobId);
    },
    'jobs.timeline': async ({ jobId }) => {
      // the job's status and stage say which stage runs now (in this process or another)
      return d.timeline().timeline(jobId, job(jobId));
    },
  };
}
