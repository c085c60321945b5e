import { z } from 'zod';
import { MpError, toErrorValue, type Result } from '../shared/errors';
import { isRequestName, requests, type RequestArg, type RequestName, type RequestResult } from './index';

/** Who is calling: transports fill this in, handlers may use it (e.g. to tell the host in logs). */
export interface CallContext {
  transport: 'ipc' | 'ws' | 'in-process';
  /** in-process callers may cancel a long request (the CLI on Ctrl-C); remote ones cannot */
  signal?: AbortSignal;
}

export type Handler<K extends RequestName> = (arg: RequestArg<K>, ctx: CallContext) => Promise<RequestResult<K>>;
export type Handlers = { [K in RequestName]: Handler<K> };
export type PartialHandlers = Partial<Handlers>;

/** A request's domain: the part of its name before the first dot. */
export type DomainOf<K extends string> = K extends `${infer D}.${string}` ? D : never;
export type Domain = DomainOf<RequestName>;
/** The requests of one domain. */
export type DomainRequestName<D extends Domain> = Extract<RequestName, `${D}.${string}`>;
/**
 * One domain's handlers: every request of that domain and nothing else, so a handler file cannot register another
 * domain's request (an object literal with an extra name does not compile).
 */
export type DomainHandlers<D extends Domain> = { [K in DomainRequestName<D>]: Handler<K> };

/**
 * Combines per-domain handler maps into the one Handlers map, refusing a name registered twice and (by its type)
 * a missing one.
 */
export function combineHandlers(...maps: { [D in Domain]: DomainHandlers<D> }[Domain][]): Handlers {
  const out: PartialHandlers = {};
  for (const m of maps) {
    for (const name of Object.keys(m) as RequestName[]) {
      if (out[name]) throw new MpError('E_CONFLICT', `request handler "${name}" registered twice`);
      (out as Record<string, unknown>)[name] = (m as PartialHandlers)[name];
    }
  }
  const missing = (Object.keys(requests) as RequestName[]).filter((n) => !out[n]);
  if (missing.length) throw new MpError('E_INTERNAL', `no handler for: ${missing.join(', ')}`);
  return out as Handlers;
}

export interface Dispatcher {
  /** Never throws: every outcome is a Result value. Unknown names and invalid arguments are E_BAD_INPUT. */
  dispatch(name: unknown, arg: unknown, ctx: CallContext): Promise<Result<unknown>>;
}

export function formatZodError(e: z.ZodError): string {
  const issue = e.issues[0];
  if (!issue) return 'invalid input';
  // symbols.3 -> symbols: the message itself names the offending value
  const path = issue.path.filter((k) => typeof k === 'string');
  const where = path.length ? `${path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}

export interface DispatcherOptions {
  /** applied to every error message that leaves the engine (secrets a provider echoed back) */
  redact?: (s: string) => string;
}

export function createDispatcher(handlers: Handlers, opts: DispatcherOptions = {}): Dispatcher {
  const redact = opts.redact ?? ((s: string) => s);
  return {
    async dispatch(name, arg, ctx) {
      if (!isRequestName(name)) return { ok: false, error: { code: 'E_BAD_INPUT', message: `unknown request "${String(name).slice(0, 100)}"` } };
      const parsed = requests[name].arg.safeParse(arg ?? {});
      if (!parsed.success) return { ok: false, error: { code: 'E_BAD_INPUT', message: formatZodError(parsed.error) } };
      try {
        const handler = handlers[name] as (a: unknown, c: CallContext) => Promise<unknown>;
        const value = await handler(parsed.data, ctx);
        // The result is checked too: a handler that breaks the contract is a bug we want to see, not a renderer crash.
        const checked = requests[name].result.safeParse(value);
        if (!checked.success) return { ok: false, error: { code: 'E_INTERNAL', message: `result of ${name} broke the contract: ${formatZodError(checked.error)}` } };
        return { ok: true, value: checked.data };
      } catch (e) {
        const err = toErrorValue(e);
        return { ok: false, error: { code: err.code, message: redact(err.message) } };
      }
    },
  };
}

/** The in-process transport: the same dispatcher, typed for callers in the engine's own process (CLI, tests). */
export function inProcessClient(d: Dispatcher) {
  return {
    request<K extends RequestName>(name: K, arg: z.input<(typeof requests)[K]['arg']>, opts: { signal?: AbortSignal } = {}): Promise<Result<RequestResult<K>>> {
      return d.dispatch(name, arg, { transport: 'in-process', ...opts }) as Promise<Result<RequestResult<K>>>;
    },
  };
}
