import { useLayoutEffect, useRef } from 'react';
import type { LegendBar } from '../../chart/types';
import { rank } from '../../chart/markers';
import { placeFindingsList } from '../../chart/placement';

/** findings listed on hover at most; the rest are counted */
const LIST_MAX = 8;

/**
 * The findings of the marker under the pointer: beside the bar and its marker, inside the plot, never over the legend
 * (placed by chart/placement.ts once the list is measured, before it is painted).
 */
export function ChartFindings({ hover }: { hover: LegendBar | null }) {
  const ref = useRef<HTMLUListElement>(null);
  const count = hover?.findingsCount ?? 0;
  const findings = hover ? [...hover.findings].sort((a, b) => rank(b.severity) - rank(a.severity) || a.t - b.t) : [];
  useLayoutEffect(() => {
    const el = ref.current;
    const a = hover?.anchor;
    if (!el || !a) return;
    const legend = el.parentElement?.querySelector<HTMLElement>('.chart-legend');
    const box = legend ? { left: legend.offsetLeft, top: legend.offsetTop, width: legend.offsetWidth, height: legend.offsetHeight } : null;
    const { left, top } = placeFindingsList(a, { width: el.offsetWidth, height: el.offsetHeight }, box);
    el.style.left = `${Math.round(left)}px`;
    el.style.top = `${Math.round(top)}px`;
    el.style.visibility = 'visible';
  });
  if (!hover || count === 0) return null;
  return (
    <ul ref={ref} className="chart-findings" aria-label="Findings at this bar" data-testid="chart-findings" style={{ visibility: hover.anchor ? 'hidden' : 'visible' }}>
      <li className="muted">
        {count.toLocaleString('en-US')} finding{count === 1 ? '' : 's'}
      </li>
      {findings.slice(0, LIST_MAX).map((f, i) => (
        <li key={i} className={`chart-finding sev-${f.severity}`}>
          <span className="chart-finding-sev">{f.severity}</span> {f.rule}: {f.message}
        </li>
      ))}
      {count > Math.min(findings.length, LIST_MAX) && (
        <li className="muted">{findings.length === 0 ? 'loading them…' : `and ${(count - Math.min(findings.length, LIST_MAX)).toLocaleString('en-US')} more`}</li>
      )}
    </ul>
  );
}
