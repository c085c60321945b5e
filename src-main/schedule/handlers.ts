import type { DomainHandlers } from '../contract/dispatcher';
import type { ProviderRegistry } from '../providers/registry';
import { MpError } from '../shared/errors';
import type { UniverseStore } from '../universe/store';
import type { Scheduler } from './scheduler';

export interface ScheduleDeps {
  scheduler(): Scheduler;
  providers: ProviderRegistry;
  universes(): UniverseStore;
}

export function scheduleHandlers(d: ScheduleDeps): DomainHandlers<'schedule'> {
  return {
    'schedule.get': async () => d.scheduler().status(d.scheduler().started),
    'schedule.set': async (s) => {
      if (s.enabled) {
        const p = d.providers.get(s.provider);
        if (s.universe) d.universes().get(s.universe);
        if (s.feed && !p.info.feeds.includes(s.feed)) throw new MpError('E_BAD_INPUT', `provider ${s.provider} has no feed "${s.feed}"`);
      }
      const scheduler = d.scheduler();
      scheduler.set(s);
      // the catch-up starts (not finishes) before we answer, so the answer shows its job or its error
      if (scheduler.started) await scheduler.tick();
      return scheduler.status(scheduler.started);
    },
  };
}
