import type { FindingCounts } from '../../../../src-main/contract/validation';
import { useClient } from '../../clientContext';
import { formatInt } from '../../format';
import { setFilter, useValidation } from '../../state/validation';
import { ruleFacets, toggled } from '../../state/validationFindings';

const SEVERITIES = [
  ['error', 'Errors'],
  ['warning', 'Warnings'],
  ['info', 'Info'],
] as const;

/**
 * The run's findings counted by severity and by rule, above the table; a count is a filter (pressed = applied, press
 * again to clear). Each facet is counted under the other filters (see FindingCountsSchema), so alternatives stay visible.
 */
export function FindingsFacets({ runRules, counts }: { runRules: string[]; counts: FindingCounts | null }) {
  const client = useClient();
  const filters = useValidation((s) => s.filters);
  const rules = ruleFacets(runRules, counts, filters.rule);
  return (
    <div className="vfacets">
      <div className="vfacet-group" role="group" aria-label="Findings by severity">
        {SEVERITIES.map(([sev, label]) => (
          <button
            key={sev}
            type="button"
            className={`vfacet vfacet-${sev}`}
            aria-pressed={filters.severity === sev}
            onClick={() => setFilter(client, { severity: toggled(filters.severity, sev) })}
          >
            {label} <span className="vfacet-n">{counts ? formatInt(counts.bySeverity[sev]) : '…'}</span>
          </button>
        ))}
      </div>
      <div className="vfacet-group" role="group" aria-label="Findings by rule">
        {rules.map(({ rule, count }) => (
          <button key={rule} type="button" className="vfacet" aria-pressed={filters.rule === rule} onClick={() => setFilter(client, { rule: toggled(filters.rule, rule) })}>
            {rule} <span className="vfacet-n">{formatInt(count)}</span>
          </button>
        ))}
      </div>
    </div>
  );
}
