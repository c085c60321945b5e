import { describe, expect, it } from 'vitest';
import { judge } from './electronegativity.mjs';

const issue = (id, sev, manualReview, file = 'main/electron.js') => ({ id, severity: { name: sev, value: { LOW: 1, MEDIUM: 2, HIGH: 3 }[sev] }, confidence: { name: 'FIRM' }, manualReview, file, location: { line: 1 }, description: 'd' });

describe('electronegativity gate', () => {
  it('fails on MEDIUM or worse and on unparsable files; LOW is a note; reviewed manual-review findings pass', () => {
    const r = judge({
      errors: [{ file: 'main/x.js', message: 'Unexpected token', tolerable: false }, { file: 'main/y.js', message: 'fallback', tolerable: true }],
      issues: [issue('AUXCLICK_JS_CHECK', 'MEDIUM', false), issue('CSP_GLOBAL_CHECK', 'LOW', true), issue('OPEN_EXTERNAL_JS_CHECK', 'MEDIUM', true), issue('OPEN_EXTERNAL_JS_CHECK', 'MEDIUM', true, 'preload/index.js'), issue('NODE_INTEGRATION_JS_CHECK', 'HIGH', false)],
    });
    expect(r.failures).toEqual([expect.stringMatching(/^cannot parse main\/x\.js/), expect.stringMatching(/^AUXCLICK_JS_CHECK MEDIUM/), expect.stringMatching(/^OPEN_EXTERNAL_JS_CHECK MEDIUM .*preload\/index\.js/), expect.stringMatching(/^NODE_INTEGRATION_JS_CHECK HIGH/)]);
    expect(r.accepted).toEqual([expect.stringMatching(/^OPEN_EXTERNAL_JS_CHECK MEDIUM .*main\/electron\.js[\s\S]*reviewed: /)]);
    expect(r.notes).toHaveLength(2);
  });
});
