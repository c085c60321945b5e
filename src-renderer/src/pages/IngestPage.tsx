import { useEffect } from 'react';
import { useClient } from '../clientContext';
import { EmptyLake } from '../components/EmptyLake';
import { IngestForm } from '../components/IngestForm';
import { JobsTable } from '../components/JobsTable';
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
      <IngestForm />
      <SchedulePanel />
      <JobsTable />
    </div>
  );
}
