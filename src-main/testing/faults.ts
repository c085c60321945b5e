// The fault and load suite's two forms: the short one runs in `npm test`; `MP_FAULTS=long` multiplies its loads
// (connections, messages, iterations) for a soak before a release (see docs/development.md).

export const LONG_FAULTS = process.env.MP_FAULTS === 'long';

/** `n` in the short form, `n * factor` in the long one. */
export function faultLoad(n: number, factor = 10): number {
  return LONG_FAULTS ? n * factor : n;
}

/** A test timeout that grows with the load. */
export function faultTimeout(ms: number, factor = 10): number {
  return LONG_FAULTS ? ms * factor : ms;
}
