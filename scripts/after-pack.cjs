'use strict';
// electron-builder afterPack hook (electron-builder.yml): runs on every packaged app, before signing.
// 1. Flips Electron's fuses (@electron/fuses) so the shipped binary cannot be turned into a Node runtime or debugged
//    through its environment, and only runs the app from its integrity-checked asar.
// 2. Refuses a package whose native binaries are missing from app.asar.unpacked for the target platform and arch
//    (e.g. DuckDB's binding for x64 when packaging the x64 dmg on an arm64 Mac without installing it first).
const fs = require('node:fs');
const path = require('node:path');
const { flipFuses, FuseV1Options, FuseVersion } = require('@electron/fuses');

/** The fuse settings, by name: also read by scripts/package-check.mjs. */
const FUSES = {
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableCookieEncryption: true,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  // the renderer is served through app://, so file:// needs none of its extra privileges
  GrantFileProtocolExtraPrivileges: false,
};

function fuseConfig(opts = {}) {
  const config = { version: FuseVersion.V1, resetAdHocDarwinSignature: Boolean(opts.resetAdHocDarwinSignature) };
  for (const [name, value] of Object.entries(FUSES)) config[FuseV1Options[name]] = value;
  return config;
}

// electron-builder's Arch enum: ia32 0, x64 1, armv7l 2, arm64 3, universal 4
const ARCH_NAMES = { 0: 'ia32', 1: 'x64', 2: 'armv7l', 3: 'arm64', 4: 'universal' };

/** The Electron binary inside an unpacked app, named as electron-builder names it. */
function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
  return path.join(appOutDir, packager.executableName);
}

function resourcesDir(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return path.join(appOutDir, `${packager.appInfo.productFilename}.app`, 'Contents', 'Resources');
  return path.join(appOutDir, 'resources');
}

/** The native binaries the app loads, relative to app.asar.unpacked, for one platform and arch. */
function expectedNativeBinaries(platform, arch) {
  return [path.join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), path.join('node_modules', '@duckdb', `node-bindings-${platform}-${arch}`, 'duckdb.node')];
}

function missingNativeBinaries(resources, platform, arch) {
  const unpacked = path.join(resources, 'app.asar.unpacked');
  return expectedNativeBinaries(platform, arch).filter((rel) => !fs.existsSync(path.join(unpacked, rel)));
}

async function afterPack(context) {
  const platform = context.electronPlatformName === 'mas' ? 'darwin' : context.electronPlatformName;
  const arch = ARCH_NAMES[context.arch] ?? String(context.arch);
  if (arch !== 'universal') {
    const missing = missingNativeBinaries(resourcesDir(context), platform, arch);
    if (missing.length > 0) {
      throw new Error(`native binaries missing from app.asar.unpacked for ${platform}-${arch}: ${missing.join(', ')} (docs/packaging.md: building for another arch)`);
    }
  }
  // arm64 macOS refuses to run a binary whose ad-hoc signature no longer matches; signing later replaces it anyway
  await flipFuses(electronBinaryPath(context), fuseConfig({ resetAdHocDarwinSignature: platform === 'darwin' && arch === 'arm64' }));
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.FUSES = FUSES;
module.exports.fuseConfig = fuseConfig;
module.exports.electronBinaryPath = electronBinaryPath;
module.exports.expectedNativeBinaries = expectedNativeBinaries;
module.exports.missingNativeBinaries = missingNativeBinaries;
