import fs from 'node:fs';
import path from 'node:path';

/**
 * better-sqlite3 is a native module: the build in node_modules targets plain Node's ABI (CLI, tests). The desktop app
 * loads a second build made for Electron's ABI by build/electron-native.mjs (run by `npm start` and by packaging) and
 * passes it to better-sqlite3 through its nativeBinding option. Undefined: fall back to node_modules (packaged apps
 * rebuilt by electron-builder).
 */
export function electronSqliteBinding(): string | undefined {
  const abi = process.versions.modules;
  const candidates = [
    path.join(process.resourcesPath ?? '', 'native', `better_sqlite3-electron-${abi}.node`),
    path.join(__dirname, '..', '..', 'build', 'native', `better_sqlite3-electron-${abi}.node`),
  ];
  return candidates.find((c) => fs.existsSync(c));
}
