import { useEffect } from 'react';
import { useClient } from '../clientContext';
import { EmptyLake } from '../components/EmptyLake';
import { IngestForm } from '../components/IngestForm';
import { JobsTable } from '../components/JobsTable';
import { LakeHealth } from '../components/LakeHealth';
import { SchedulePanel } from '../components/SchedulePanel';
import { refreshJobs } from '../state/session';

export function IngestPage() {
  const client = useClient();
  useEffect(() => {
    void refreshJobs(client);
  }, [client]);
  return (
    <div className="page page-ingest">
      <EmptyLake />
      <LakeHealth />
      <IngestForm />
      <SchedulePanel />
      <JobsTable />
    </div>
  );
}
