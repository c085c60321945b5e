import { z } from 'zod';
import { CredentialStatusSchema } from './schemas';

// The credentials domain: provider secrets, stored by the host (desktop keychain) or read from the environment.

export const credentialsRequests = {
  /** Which credentials each provider has, and from where; values never leave the engine. */
  'credentials.status': { arg: z.object({}).strict(), result: z.array(CredentialStatusSchema) },
  /** Stores a credential in the host's secret store (desktop: OS keychain through safeStorage); null clears it. */
  'credentials.set': {
    arg: z.object({ name: z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/), value: z.string().min(1).max(4096).nullable() }).strict(),
    result: z.array(CredentialStatusSchema),
  },
} as const;
