import { useEffect } from 'react';
import { useClient } from '../clientContext';
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
      <IngestForm />
      <SchedulePanel />
      <JobsTable />
    </div>
  );
}
