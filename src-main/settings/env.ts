import { z } from 'zod';
import { MpError } from '../shared/errors';

// Every environment variable the engine reads, parsed once with zod so a bad value is a clear one-line error.
const intFrom = (name: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`);

const EnvSchema = z.object({
  MP_DATA_DIR: z.string().optional(),
  MP_FAKE_LATENCY_MS: intFrom('MP_FAKE_LATENCY_MS', 0, 60_000).optional(),
  MP_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional(),
  MP_SOURCE_PRECEDENCE: z
    .string()
    .regex(/^\s*[a-z0-9_-]+(:[a-z0-9_-]+)?(\s*,\s*[a-z0-9_-]+(:[a-z0-9_-]+)?)*\s*$/i, 'MP_SOURCE_PRECEDENCE must be a comma-separated list of provider or provider:feed')
    .optional(),
});
export type EngineEnv = z.infer<typeof EnvSchema>;

export function parseEnv(env: NodeJS.ProcessEnv = process.env): EngineEnv {
  const picked = Object.fromEntries(Object.keys(EnvSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const r = EnvSchema.safeParse(picked);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new MpError('E_BAD_INPUT', `${String(issue?.path[0] ?? 'environment')}: ${issue?.message ?? 'invalid value'}`);
  }
  return r.data;
}
