#!/usr/bin/env node
'use strict';
// The `marketpipe` command. The CLI is bundled into out/main by `npm run build`, which `npm ci` / `npm install`
// run for you (the package's prepare script).
const path = require('node:path');
const fs = require('node:fs');

const entry = path.join(__dirname, '..', 'out', 'main', 'cli.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('marketpipe: error: the app is not built yet; run `npm run build` (npm ci and npm install do it for you)\n');
  process.exit(1);
}
// `marketpipe query ... | head`: a reader that goes away is not an error worth a stack trace
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e && e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}
require(entry)
  .run(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
