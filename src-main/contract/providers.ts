import { z } from 'zod';
import { ProviderInfoSchema } from './schemas';

// The providers domain: the market-data sources the engine can ingest from.

export const providersRequests = {
  'providers.list': { arg: z.object({}).strict(), result: z.array(ProviderInfoSchema) },
} as const;
