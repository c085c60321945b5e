const { stringify } = require('csv-stringify/sync');
const mk = (n) => Array.from({length: n}, (_, i) => ['2024-06-03T13:30:00.000Z', 'S001', '1m', 'fake', 'sim', String(100.1+i), '100.2', '99.9', '100.05', '12345', '12', '100.03', '2024-06-03']);
for (const n of [391, 391, 391, 10000]) { const rows = mk(n); const t0 = performance.now(); const s = stringify(rows); console.log(n, (performance.now()-t0).toFixed(1), 'ms'); }
const esc = (v) => /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
for (const n of [391, 10000]) { const rows = mk(n); const t0 = performance.now(); const s = rows.map(r => r.map(esc).join(',')).join('\n') + '\n'; console.log('plain', n, (performance.now()-t0).toFixed(1), 'ms'); }
