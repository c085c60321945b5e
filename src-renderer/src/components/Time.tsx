import { formatInstant } from '../../../src-common/zonedTime';
import { useTimeZone } from '../state/display';

/**
 * An instant in the app's time zone with its date and zone ("2024-01-02 09:30 EST"); the full time to the second and
 * the UTC instant on hover. Nothing for null.
 */
export function Time({ at, seconds = false, className }: { at: string | null | undefined; seconds?: boolean; className?: string }) {
  const zone = useTimeZone();
  if (!at) return null;
  const text = formatInstant(at, zone, { seconds });
  const full = formatInstant(at, zone);
  return (
    <time dateTime={at} className={className} title={`${full} · ${at}`}>
      {text}
    </time>
  );
}
