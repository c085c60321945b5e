import type { z } from 'zod';
import { aggregateEvents, aggregateRequests } from './aggregate';
import { appEvents, appRequests } from './app';
import { chartRequests } from './chart';
import { credentialsRequests } from './credentials';
import { ingestEvents, ingestRequests } from './ingest';
import { jobsEvents, jobsRequests } from './jobs';
import { lakeRequests } from './lake';
import { metricsEvents, metricsRequests } from './metrics';
import { pipelineEvents } from './pipeline';
import { providersRequests } from './providers';
import { queryRequests } from './query';
import { reconcileRequests } from './reconcile';
import { scheduleRequests } from './schedule';
import { universeRequests } from './universe';
import { validationEvents, validationRequests } from './validation';

// The one contract between the engine and every client (renderer over IPC or WebSocket, CLI in-process, tests),
// composed of the domains' maps. A request's prefix names its domain: `contract/<domain>.ts` holds its schemas and
// `src-main/<domain>/handlers.ts` its handlers (typed so they can only register that domain's requests). Three
// domains live in a folder of another name: validation and reconcile in validate/, jobs in ingest/, credentials in
// settings/.
// Requests: name -> { arg, result } schemas. Events: name -> payload schema. Both validated at runtime at the boundary.

export const requests = {
  ...appRequests,
  ...providersRequests,
  ...credentialsRequests,
  ...metricsRequests,
  ...scheduleRequests,
  ...ingestRequests,
  ...jobsRequests,
  ...universeRequests,
  ...lakeRequests,
  ...queryRequests,
  ...chartRequests,
  ...validationRequests,
  ...reconcileRequests,
  ...aggregateRequests,
} as const;

export const events = {
  ...appEvents,
  ...metricsEvents,
  ...jobsEvents,
  ...ingestEvents,
  ...validationEvents,
  ...aggregateEvents,
  ...pipelineEvents,
} as const;

export type Requests = typeof requests;
export type RequestName = keyof Requests;
export type RequestArg<K extends RequestName> = z.output<Requests[K]['arg']>;
export type RequestArgInput<K extends RequestName> = z.input<Requests[K]['arg']>;
export type RequestResult<K extends RequestName> = z.output<Requests[K]['result']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
/** What an emitter may give: fields with defaults may be left out. */
export type EventPayloadInput<E extends EventName> = z.input<Events[E]>;

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requests, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/**
 * What travels to a client for every engine event: a union discriminated by type. Everything one job causes (its
 * progress, its validation, its aggregation) shares the job's id as correlationId; causationId is the id of the event
 * that caused this one (validation is caused by ingest.completed, aggregation by validation.completed).
 */
export type EventEnvelope<E extends EventName = EventName> = {
  [K in E]: {
    /** unique per event (UUID) */
    id: string;
    type: K;
    payload: EventPayload<K>;
    /** ISO 8601 UTC */
    occurredAt: string;
    correlationId: string | null;
    causationId: string | null;
    /** monotonically increasing per engine */
    seq: number;
  };
}[E];

/** Where an event comes from: the job it belongs to and the event that caused it. */
export interface EventMeta {
  correlationId?: string | null;
  causationId?: string | null;
}

export * from './schemas';
export * from './wire';
export * from './channels';
