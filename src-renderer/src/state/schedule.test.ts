import { beforeEach, describe, expect, it } from 'vitest';
import type { ProviderInfo, Schedule, ScheduleStatus } from '../../../src-main/contract/schemas';
import { alpacaProvider, fakeClient, fakeProvider } from '../testing/fixtures';
import { describeRunTime, draftOf, saveSchedule, scheduleOf, scheduleProviders, scheduleSummary, statusLoaded, useSchedule } from './schedule';

const fake = fakeProvider;
const alpaca = alpacaProvider(['ALPACA_KEY']);
const daily: ProviderInfo = { ...alpaca, name: 'daily', timeframes: ['1d'] };
const csv: ProviderInfo = { ...fake, name: 'csv', feeds: ['file'], defaultFeed: 'file' };

const off: Schedule = { enabled: false, universe: null, provider: 'alpaca', feed: null, timeframe: '1m', since: null, at: '20:15' };
const status = (s: Partial<ScheduleStatus> = {}): ScheduleStatus => ({
  schedule: off,
  active: true,
  lastRunSession: null,
  lastJobId: null,
  lastError: null,
  nextRunAt: null,
  ...s,
});


describe('schedule', () => {
  beforeEach(() => useSchedule.setState({ status: null, draft: null, dirty: false, saving: false, saveError: null, saved: false }));

  it('maps nulls to empty selects and back', () => {
    expect(draftOf(off)).toEqual({ enabled: false, universe: '', provider: 'alpaca', feed: '', timeframe: '1m', since: '', at: '20:15' });
    const on: Schedule = { enabled: true, universe: 'Tech', provider: 'alpaca', feed: 'sip', timeframe: '5m', since: '2024-01-02', at: '21:00' };
    expect(scheduleOf(draftOf(on))).toEqual(on);
    expect(scheduleOf(draftOf(off))).toEqual(off);
  });

  it('follows the engine until edited, and resets feed and timeframe with the provider', () => {
    statusLoaded(status());
    useSchedule.getState().edit({ timeframe: '5m' });
    useSchedule.getState().edit({ feed: 'sip' });
    expect(useSchedule.getState()).toMatchObject({ dirty: true, draft: { feed: 'sip', timeframe: '5m' } });
    // a refresh does not undo the edit
    statusLoaded(status({ lastRunSession: '2024-06-03' }));
    expect(useSchedule.getState()).toMatchObject({ draft: { feed: 'sip' }, status: { lastRunSession: '2024-06-03' } });
    useSchedule.getState().edit({ provider: 'daily' }, [fake, alpaca, daily]);
    expect(useSchedule.getState().draft).toMatchObject({ provider: 'daily', feed: '', timeframe: '1d' });
    useSchedule.getState().reset();
    expect(useSchedule.getState()).toMatchObject({ dirty: false, draft: { provider: 'alpaca', feed: '', timeframe: '1m' } });
  });

  it('offers market providers only (a csv schedule already saved stays visible)', () => {
    expect(scheduleProviders([fake, alpaca, csv], 'alpaca').map((p) => p.name)).toEqual(['fake', 'alpaca']);
    expect(scheduleProviders([fake, alpaca, csv], 'csv').map((p) => p.name)).toEqual(['fake', 'alpaca', 'csv']);
    expect(scheduleProviders(null, 'alpaca')).toEqual([]);
  });

  it('saves the draft, keeping the engine error and the edits when refused', async () => {
    const refused = fakeClient(() => ({ ok: false, error: { code: 'E_BAD_INPUT', message: 'universe: choose a universe to update' } }));
    statusLoaded(status());
    useSchedule.getState().edit({ enabled: true });
    expect(await saveSchedule(refused.client)).toBe(false);
    expect(refused.calls[0]).toEqual({ name: 'schedule.set', arg: { ...off, enabled: true } });
    expect(useSchedule.getState()).toMatchObject({ saving: false, dirty: true, saveError: { code: 'E_BAD_INPUT' }, draft: { enabled: true } });

    const on: Schedule = { ...off, enabled: true, universe: 'Tech', provider: 'fake' };
    const accepted = fakeClient(() => ({ ok: true, value: status({ schedule: on, nextRunAt: '2024-06-04T00:15:00.000Z' }) }));
    useSchedule.getState().edit({ universe: 'Tech', provider: 'fake' }, [fake]);
    expect(await saveSchedule(accepted.client)).toBe(true);
    expect(accepted.calls[0]?.arg).toEqual(on);
    expect(useSchedule.getState()).toMatchObject({ dirty: false, saved: true, saveError: null, status: { nextRunAt: '2024-06-04T00:15:00.000Z' } });
    // the next edit takes the confirmation away
    useSchedule.getState().edit({ at: '20:30' });
    expect(useSchedule.getState().saved).toBe(false);
  });

  it('describes a run time locally and in New York', () => {
    // 20:15 EDT on Monday 3 June 2024 is 00:15 UTC on the 4th
    expect(describeRunTime('2024-06-04T00:15:00.000Z', 'America/New_York')).toEqual({ local: 'Mon 2024-06-03 20:15 EDT', newYork: 'Mon 20:15 EDT' });
    const berlin = describeRunTime('2024-06-04T00:15:00.000Z', 'Europe/Berlin');
    expect(berlin?.local).toMatch(/^Tue 2024-06-04 02:15 /);
    expect(berlin?.newYork).toBe('Mon 2024-06-03 20:15 EDT');
    expect(describeRunTime('2025-01-07T01:15:00.000Z', 'UTC')?.newYork).toBe('Mon 2025-01-06 20:15 EST');
    expect(describeRunTime('nonsense')).toBeNull();
  });

  it('summarises the schedule in one line', () => {
    expect(scheduleSummary(off)).toBe('Off');
    expect(scheduleSummary({ ...off, enabled: true, universe: 'Tech', feed: 'sip' })).toBe('Daily at 20:15 New York · Tech from alpaca/sip · 1m');
  });
});
