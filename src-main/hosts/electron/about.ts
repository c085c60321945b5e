// Help › About: the versions a bug report needs. Gathered by the Electron host (main.ts) and formatted here, so the
// text is tested in plain Node.

export interface AppVersions {
  app: string;
  electron: string;
  chrome: string;
  node: string;
  duckdb: string;
  sqlite: string;
}

/** A version that could not be read is shown as unknown with its reason, never a thrown error in the About box. */
export function safeVersion(read: () => string): string {
  try {
    return read();
  } catch (e) {
    return `unknown (${e instanceof Error ? e.message : String(e)})`;
  }
}

export function aboutDetail(v: AppVersions, places: { dataDir: string; logFile: string }): string {
  return [
    `Version ${v.app}`,
    '',
    `Electron ${v.electron}`,
    `Chromium ${v.chrome}`,
    `Node ${v.node}`,
    `DuckDB ${v.duckdb}`,
    `SQLite ${v.sqlite}`,
    '',
    `Data: ${places.dataDir}`,
    `Log: ${places.logFile}`,
  ].join('\n');
}
