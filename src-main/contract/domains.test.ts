import { describe, expect, expectTypeOf, it } from 'vitest';
import { combineHandlers, type Domain, type DomainHandlers, type DomainRequestName } from './dispatcher';
import { events, requests } from './index';

describe('the contract by domain', () => {
  it('names every request and event domain.event, lower-case and dotted', () => {
    for (const name of [...Object.keys(requests), ...Object.keys(events)]) expect(name).toMatch(/^[a-z]+(\.[a-z][A-Za-z]*)+$/);
    // one event per fact: the PascalCase pipeline events are gone
    expect(Object.keys(events).filter((n) => /[A-Z]/.test(n[0]!))).toEqual([]);
  });

  it("types a domain's handlers over its own requests only", () => {
    expectTypeOf<DomainRequestName<'lake'>>().toEqualTypeOf<'lake.status' | 'lake.verify' | 'lake.repair' | 'lake.compact' | 'lake.vacuum'>();
    expectTypeOf<DomainRequestName<'reconcile'>>().toEqualTypeOf<'reconcile.run'>();
    expectTypeOf<'universe'>().toExtend<Domain>();

    const lakeRest = {
      'lake.verify': async () => ({ ok: true, files: 0, rows: 0, bytes: 0, problems: [], retained: { files: 0, bytes: 0, problems: [] } }),
      'lake.repair': async () => ({ quarantined: [], rebuilt: [], actions: [], lost: [] }),
      'lake.compact': async () => ({ partitions: 0, filesBefore: 0, rows: 0, bytesBefore: 0, bytesAfter: 0 }),
      'lake.vacuum': async () => ({ dryRun: true, retainDays: 7, files: [], bytes: 0, oldestSnapshot: { id: 1, at: '' } }),
    };
    const lake: DomainHandlers<'lake'> = { 'lake.status': async () => ({ symbols: 0, empty: true }), ...lakeRest };
    const notLake: DomainHandlers<'lake'> = {
      'lake.status': async () => ({ symbols: 0, empty: true }),
      ...lakeRest,
      // @ts-expect-error another domain's request cannot be registered by the lake's handlers
      'universe.list': async () => [],
    };
    // @ts-expect-error a domain's handlers must register every request of the domain
    const missing: DomainHandlers<'reconcile'> = {};
    expect([lake, notLake, missing]).toHaveLength(3);
  });

  it('refuses a request registered twice, and a request nobody handles', () => {
    const lake: DomainHandlers<'lake'> = {
      'lake.status': async () => ({ symbols: 0, empty: true }),
      'lake.verify': async () => ({ ok: true, files: 0, rows: 0, bytes: 0, problems: [], retained: { files: 0, bytes: 0, problems: [] } }),
      'lake.repair': async () => ({ quarantined: [], rebuilt: [], actions: [], lost: [] }),
      'lake.compact': async () => ({ partitions: 0, filesBefore: 0, rows: 0, bytesBefore: 0, bytesAfter: 0 }),
      'lake.vacuum': async () => ({ dryRun: true, retainDays: 7, files: [], bytes: 0, oldestSnapshot: { id: 1, at: '' } }),
    };
    expect(() => combineHandlers(lake, lake)).toThrow(/"lake.status" registered twice/);
    expect(() => combineHandlers(lake)).toThrow(/no handler for: /);
  });
});
