import { AppChrome } from './components/AppChrome';
import { Header } from './components/Header';
import { Nav } from './components/Nav';
import { TokenRequired } from './components/TokenRequired';
import { ChartPage } from './pages/ChartPage';
import { IngestPage } from './pages/IngestPage';
import { MetricsPage } from './pages/MetricsPage';
import { ValidationPage } from './pages/ValidationPage';
import { QueryPage } from './pages/QueryPage';
import { SettingsPage } from './pages/SettingsPage';
import { UniversePage } from './pages/UniversePage';
import { useNav, type PageId } from './state/nav';
import { useSession } from './state/session';

const PAGES: Record<PageId, () => React.JSX.Element> = {
  universe: UniversePage,
  ingest: IngestPage,
  query: QueryPage,
  chart: ChartPage,
  validation: ValidationPage,
  metrics: MetricsPage,
  settings: SettingsPage,
};

function Page({ page }: { page: PageId }) {
  const Shown = PAGES[page];
  return <Shown />;
}

export function App() {
  const status = useSession((s) => s.status);
  const page = useNav((s) => s.page);
  if (status === 'refused') return <TokenRequired />;
  return (
    <div className="shell">
      <Nav />
      <div className="main">
        <Header />
        <main className="content" id="content">
          <Page page={page} />
        </main>
      </div>
      <AppChrome />
    </div>
  );
}
