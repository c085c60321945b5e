import { closeTab, newTab, selectTab, useQuery } from '../../state/query';

/** The editor's tabs: each keeps its SQL across restarts; a result belongs to the tab that ran it. */
export function QueryTabs() {
  const tabs = useQuery((s) => s.tabs);
  const active = useQuery((s) => s.activeTab);
  const running = useQuery((s) => s.running);
  const resultTab = useQuery((s) => s.resultTab);
  return (
    <div className="query-tabs">
      <div role="tablist" aria-label="Query tabs" className="query-tablist">
        {tabs.map((t) => (
          <div key={t.id} className={t.id === active ? 'query-tab active' : 'query-tab'}>
            <button type="button" role="tab" aria-selected={t.id === active} className="query-tab-name" onClick={() => selectTab(t.id)} title={t.sql.slice(0, 300) || 'empty'}>
              {t.name}
              {running && resultTab === t.id ? <span className="query-tab-dot" aria-label="running" /> : null}
            </button>
            {tabs.length > 1 && (
              <button type="button" className="query-tab-close" aria-label={`Close ${t.name}`} onClick={() => closeTab(t.id)} disabled={running && resultTab === t.id}>
                ×
              </button>
            )}
          </div>
        ))}
      </div>
      <button type="button" className="query-tab-new" aria-label="New query tab" title="New query tab" onClick={() => newTab()}>
        +
      </button>
    </div>
  );
}
