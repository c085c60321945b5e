import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { connectClient } from './client';
import { ClientProvider } from './clientContext';
import { applyTheme } from './state/display';
import { followHash } from './state/nav';
import { startSession } from './state/session';
import './styles.css';

const client = connectClient();
startSession(client);
followHash();
applyTheme();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <ClientProvider client={client}>
      <App />
    </ClientProvider>
  </StrictMode>,
);
