import type { RequestArgInput } from '../../../src-main/contract';
import { SYMBOL_RE } from '../../../src-main/contract/schemas';
import { FINDINGS_PAGE_SIZES, type AckFilter, type FindingCounts, type FindingsPage, type FindingsQueryInput, type FindingsSort } from '../../../src-main/contract/validation';

// The findings table's logic as plain functions (vitest covers them without a DOM): the request from the filters,
// sorting, paging and the counts' wording. The store and the engine calls are in ./validation.

export const PAGE_SIZE = 100;
export const PAGE_SIZES = FINDINGS_PAGE_SIZES;

export interface FindingFilters {
  symbol: string;
  rule: string;
  severity: string;
  /** a piece of the message */
  text: string;
  acknowledged: AckFilter;
}

export const NO_FILTERS: FindingFilters = { symbol: '', rule: '', severity: '', text: '', acknowledged: 'hide' };

export interface FindingsSortState {
  column: FindingsSort;
  dir: 'asc' | 'desc';
}

/** What the filters and the sort select, without the run (shared by the page request and the exports). */
export function findingsQuery(f: FindingFilters, sort: FindingsSortState | null): Omit<FindingsQueryInput, 'runId'> {
  const symbol = f.symbol.trim().toUpperCase();
  const text = f.text.trim();
  return {
    ...(symbol ? { symbol } : {}),
    ...(f.rule ? { rule: f.rule } : {}),
    ...(f.severity === 'error' || f.severity === 'warning' || f.severity === 'info' ? { severity: f.severity } : {}),
    ...(text ? { text } : {}),
    ...(f.acknowledged !== 'hide' ? { acknowledged: f.acknowledged } : {}),
    ...(sort ? { sort: sort.column, dir: sort.dir } : {}),
  };
}

/** The findings request for the current filters: empty filters are left out, the symbol is normalised. */
export function findingsArg(runId: string, f: FindingFilters, offset: number, limit = PAGE_SIZE, sort: FindingsSortState | null = null): RequestArgInput<'validation.findings'> {
  return { runId, offset, limit, ...findingsQuery(f, sort) };
}

/** A symbol filter the engine would refuse is told on the spot instead of sent. */
export function symbolFilterError(raw: string): string | null {
  const s = raw.trim().toUpperCase();
  return s === '' || SYMBOL_RE.test(s) ? null : `"${raw.trim()}" is not a symbol`;
}

/** A header click: ascending, then descending, then back to the report's order (as DBeaver's grid does). */
export function nextSort(current: FindingsSortState | null, column: FindingsSort): FindingsSortState | null {
  if (!current || current.column !== column) return { column, dir: 'asc' };
  return current.dir === 'asc' ? { column, dir: 'desc' } : null;
}

export function ariaSort(current: FindingsSortState | null, column: FindingsSort): 'ascending' | 'descending' | 'none' {
  if (!current || current.column !== column) return 'none';
  return current.dir === 'asc' ? 'ascending' : 'descending';
}

/** "101–200 of 6,000" */
export function rangeLabel(page: FindingsPage | null, format: (n: number) => string = String): string {
  if (!page || page.total === 0) return '0 findings';
  const first = page.offset + 1;
  const last = page.offset + page.rows.length;
  return `${format(first)}–${format(last)} of ${format(page.total)}`;
}

export function canPage(page: FindingsPage | null, dir: -1 | 1, size = PAGE_SIZE): boolean {
  if (!page) return false;
  return dir < 0 ? page.offset > 0 : page.offset + size < page.total;
}

export function pageCount(total: number, size: number): number {
  return Math.max(1, Math.ceil(total / size));
}

/** The offset of page `n` (1-based), clamped to the pages there are; null when `n` is not a page number. */
export function offsetOfPage(raw: string, total: number, size: number): number | null {
  const n = Number(raw.trim().replace(/[,\s]/g, ''));
  if (!Number.isInteger(n) || raw.trim() === '') return null;
  return (Math.min(Math.max(n, 1), pageCount(total, size)) - 1) * size;
}

/** A new page size keeps the first row shown on the page shown. */
export function offsetForSize(offset: number, size: number): number {
  return Math.floor(offset / size) * size;
}

/** "40 errors, 6 warnings, 2 info" (every severity, zeros too: a summary never omits one). */
export function severitySummary(s: { error: number; warning: number; info: number }, format: (n: number) => string = String): string {
  return `${format(s.error)} ${s.error === 1 ? 'error' : 'errors'}, ${format(s.warning)} ${s.warning === 1 ? 'warning' : 'warnings'}, ${format(s.info)} info`;
}

/** The rule facets: every rule of the run (a rule the other filters exclude shows 0), the selected one kept. */
export function ruleFacets(runRules: string[], counts: FindingCounts | null, selected: string): { rule: string; count: number }[] {
  const by = new Map((counts?.byRule ?? []).map((r) => [r.rule, r.count]));
  const rules = [...new Set([...runRules, ...by.keys(), ...(selected ? [selected] : [])])].sort();
  return rules.map((rule) => ({ rule, count: by.get(rule) ?? 0 }));
}

/** A facet click: selects it, or clears it when it is the one selected. */
export function toggled(current: string, value: string): string {
  return current === value ? '' : value;
}
