import { useEffect } from 'react';
import { useClient } from '../clientContext';
import { Findings } from '../components/validation/Findings';
import { RunForm } from '../components/validation/RunForm';
import { RunsTable } from '../components/validation/RunsTable';
import { followValidation } from '../state/validation';
import './validation.css';

export function ValidationPage() {
  const client = useClient();
  useEffect(() => followValidation(client), [client]);
  return (
    <div className="page page-validation">
      <RunForm />
      <RunsTable />
      <Findings />
    </div>
  );
}
