// Public surface of the Polygon.io (Massive) provider.
export { POLYGON_DEFAULT_URL, POLYGON_FREE_RATE_PER_MIN, POLYGON_MAX_LIMIT, POLYGON_SPANS, buildAggsUrl, buildGroupedUrl, polygonGroups, polygonProvider, polygonResilience, withApiKey } from './adapter';
export type { PolygonAggsQuery } from './adapter';
