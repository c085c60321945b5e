// Source precedence moved to lake/sources.ts (it serves the chart and universes as well as the query engine); this
// re-export keeps query/service.ts compiling until its owner points it there.
export { DEFAULT_PRECEDENCE, parsePrecedence, preferredSources } from '../lake/sources';
