import type { DomainHandlers } from '../contract/dispatcher';
import type { ChartService } from './service';

export interface ChartDeps {
  /** the engine's chart service, opened on first use */
  service: () => Promise<ChartService>;
}

/** The chart explorer's requests (see src-main/contract/chart.ts). */
export function chartHandlers(deps: ChartDeps): DomainHandlers<'chart'> {
  return {
    'chart.symbols': async () => ({ symbols: (await deps.service()).symbols() }),
    'chart.extent': async ({ symbol }) => (await deps.service()).extent(symbol),
    'chart.bars': async (arg) => (await deps.service()).bars(arg),
    'chart.sessions': async ({ from, to }) => ({ sessions: (await deps.service()).sessions(from, to) }),
    'chart.findings': async (arg) => (await deps.service()).findings(arg),
  };
}
