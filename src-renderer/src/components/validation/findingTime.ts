import type { Finding } from '../../../../src-main/contract/validation';
import { formatInstant, type TimeZoneSetting } from '../../../../src-common/zonedTime';

/**
 * The Time cell of a finding. A finding about a whole trading day (a missing session, a daily bar) is stamped at the
 * session's start, midnight in New York: it shows as that exchange date whatever the zone setting (that midnight is
 * the evening before in Los Angeles), not as "00:00:00 EST".
 */
export function findingTime(f: Pick<Finding, 'ts' | 'rule' | 'timeframe'>, zone: TimeZoneSetting, localZone?: string): string {
  if (f.rule === 'missing_session' || f.timeframe === '1d') return formatInstant(f.ts, 'America/New_York').slice(0, 10);
  return formatInstant(f.ts, zone, {}, localZone);
}
