export { chartHandlers, type ChartDeps } from './handlers';
export { ChartService, type ChartServiceOptions } from './service';
