import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parentPort, Worker, type TransferListItem } from 'node:worker_threads';
import { z } from 'zod';
import { ERROR_CODES, MpError } from './errors';

// CPU-bound engine work (generating the fake provider's bars, ...) runs in worker threads so the engine's event loop
// stays free for requests, events and IPC: in the desktop app the engine shares its thread with Electron's main
// process (windows, menus), so a long synchronous stretch there is a frozen app. Both sides check every message with
// zod; results come back with their ArrayBuffers transferred, not copied.

/** The tasks one worker script serves: each task's argument and result schemas, checked across the thread boundary. */
export type TaskMap = Record<string, { arg: z.ZodType; result: z.ZodType }>;

export const WorkerRequestSchema = z.object({ id: z.number().int().nonnegative(), task: z.string().min(1).max(100), arg: z.unknown() }).strict();
export const WorkerReplySchema = z.union([
  z.object({ id: z.number().int().nonnegative(), ok: z.literal(true), value: z.unknown() }).strict(),
  z.object({ id: z.number().int().nonnegative(), ok: z.literal(false), error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }).strict() }).strict(),
]);
export type WorkerReply = z.infer<typeof WorkerReplySchema>;

export interface PoolOptions {
  /** names the pool in errors ("fake worker failed: ...") */
  name: string;
  /** the worker script's path, resolved once before the first worker starts */
  script: () => Promise<string>;
  /** threads at most (default: the cores but one, between 1 and 4); started on demand */
  size?: number;
}

/** Threads for CPU work when nothing else is said: leave a core to the event loop and the DuckDB threads. */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(4, os.availableParallelism() - 1));
}

interface Job {
  id: number;
  task: string;
  arg: unknown;
  transfer: TransferListItem[];
  resolve(value: unknown): void;
  reject(e: MpError): void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

/**
 * A small pool of worker threads running one script. A task is queued until a thread is free; a thread that throws
 * outside a task, exits or answers out of protocol fails the task it had (an MpError E_INTERNAL, never a hang) and is
 * replaced for the next one. Idle threads never keep the process alive; close() ends them all.
 */
export class WorkerPool<T extends TaskMap> {
  private readonly queue: Job[] = [];
  private readonly slots = new Set<Slot>();
  private readonly size: number;
  private scriptP: Promise<string> | undefined;
  private seq = 0;
  private closed = false;

  constructor(
    private readonly tasks: T,
    private readonly o: PoolOptions,
  ) {
    this.size = Math.max(1, o.size ?? defaultPoolSize());
  }

  /** Threads running now (started on demand, at most `size`). */
  get threads(): number {
    return this.slots.size;
  }

  run<K extends keyof T & string>(task: K, arg: z.input<T[K]['arg']>, transfer: TransferListItem[] = []): Promise<z.output<T[K]['result']>> {
    if (this.closed) return Promise.reject(new MpError('E_CANCELLED', `${this.o.name} workers are closed`));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: ++this.seq, task, arg, transfer, resolve: resolve as (v: unknown) => void, reject });
      this.scriptP ??= this.o.script();
      this.scriptP.then(
        () => this.pump(),
        (e: unknown) => this.failQueued(new MpError('E_INTERNAL', `${this.o.name} worker script unavailable: ${e instanceof Error ? e.message : String(e)}`)),
      );
    });
  }

  /** Ends every thread; queued and running tasks fail with E_CANCELLED. */
  async close(): Promise<void> {
    this.closed = true;
    this.failQueued(new MpError('E_CANCELLED', `${this.o.name} workers are closed`));
    const slots = [...this.slots];
    this.slots.clear();
    for (const s of slots) s.job?.reject(new MpError('E_CANCELLED', `${this.o.name} workers are closed`));
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  /**
   * Ends the threads that run no task now, and gives their memory back (a thread's V8 heap and whatever its native
   * code holds); the pool stays open and starts threads again on demand. A thread busy now is left running.
   */
  async endIdle(): Promise<void> {
    const idle = [...this.slots].filter((s) => s.job === null);
    // forgotten first: their exit is not a loss to report, and pump() starts others if work comes
    for (const s of idle) this.slots.delete(s);
    await Promise.all(idle.map((s) => s.worker.terminate()));
  }

  private failQueued(e: MpError): void {
    for (const job of this.queue.splice(0)) job.reject(e);
  }

  private async pump(): Promise<void> {
    if (this.closed) return;
    const script = await this.scriptP!;
    while (this.queue.length > 0) {
      let slot = [...this.slots].find((s) => s.job === null);
      if (!slot) {
        if (this.slots.size >= this.size) return;
        try {
          slot = this.spawn(script);
        } catch (e) {
          // a thread that cannot even start (a path Worker refuses, no resources): its task fails, the next tries again
          this.queue.shift()!.reject(new MpError('E_INTERNAL', `${this.o.name} worker cannot start: ${e instanceof Error ? e.message : String(e)}`));
          continue;
        }
      }
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref(); // a task in flight keeps the process alive until it answers
      slot.worker.postMessage({ id: job.id, task: job.task, arg: job.arg }, job.transfer);
    }
  }

  private spawn(script: string): Slot {
    const worker = new Worker(script, { name: `marketpipe-${this.o.name}` });
    worker.unref();
    const slot: Slot = { worker, job: null };
    this.slots.add(slot);
    // the thread is gone or unusable: fail its task, forget it, and start another for what is queued
    const lose = (why: string) => {
      if (!this.slots.delete(slot)) return;
      slot.job?.reject(new MpError('E_INTERNAL', `${this.o.name} worker failed: ${why}`));
      slot.job = null;
      void worker.terminate();
      void this.pump();
    };
    worker.on('error', (e) => lose(e.message.split('\n')[0] ?? 'error'));
    worker.on('exit', (code) => lose(`exited with code ${code}`));
    worker.on('messageerror', () => lose('a reply could not be read'));
    worker.on('message', (m: unknown) => {
      const reply = WorkerReplySchema.safeParse(m);
      const job = slot.job;
      if (!reply.success || !job || reply.data.id !== job.id) return lose('a reply out of protocol');
      slot.job = null;
      worker.unref();
      if (reply.data.ok) {
        const value = this.tasks[job.task]!.result.safeParse(reply.data.value);
        if (value.success) job.resolve(value.data);
        else job.reject(new MpError('E_INTERNAL', `${this.o.name} worker: a malformed ${job.task} result`));
      } else {
        job.reject(new MpError(reply.data.error.code, reply.data.error.message));
      }
      void this.pump();
    });
    return slot;
  }
}

/** What a task handler returns: the result and the buffers to transfer with it. */
export interface TaskAnswer<R> {
  value: R;
  transfer?: TransferListItem[];
}

/** A task's handler: synchronous (CPU work), or asynchronous (a worker owning its own DuckDB); one task at a time per thread. */
export type TaskHandlers<T extends TaskMap> = {
  [K in keyof T]: (arg: z.output<T[K]['arg']>) => TaskAnswer<z.input<T[K]['result']>> | Promise<TaskAnswer<z.input<T[K]['result']>>>;
};

/** The worker side: answers each request of the parent with its handler (arguments checked; errors as values). */
export function serveTasks<T extends TaskMap>(tasks: T, handlers: TaskHandlers<T>): void {
  const port = parentPort;
  if (!port) throw new MpError('E_INTERNAL', 'serveTasks runs in a worker thread only');
  port.on('message', (m: unknown) => {
    const req = WorkerRequestSchema.safeParse(m);
    // no id to answer to: thrown, it ends the thread, and the pool fails the task that thread had
    if (!req.success) throw new MpError('E_INTERNAL', 'a malformed request reached the worker');
    const { id, task } = req.data;
    const fail = (e: unknown): WorkerReply => ({ id, ok: false, error: e instanceof MpError ? e.toValue() : { code: 'E_INTERNAL', message: e instanceof Error ? e.message : String(e) } });
    const answer = (a: TaskAnswer<unknown>) => port.postMessage({ id, ok: true, value: a.value } satisfies WorkerReply, a.transfer ?? []);
    try {
      const def = tasks[task];
      if (!def) throw new MpError('E_INTERNAL', `unknown worker task ${task}`);
      const arg = def.arg.safeParse(req.data.arg);
      if (!arg.success) throw new MpError('E_BAD_INPUT', `${task}: ${arg.error.issues[0]?.message ?? 'bad argument'}`);
      const a = handlers[task as keyof T](arg.data as z.output<T[keyof T]['arg']>);
      if (a instanceof Promise) a.then(answer, (e: unknown) => port.postMessage(fail(e)));
      else answer(a);
    } catch (e) {
      port.postMessage(fail(e));
    }
  });
}

/**
 * A worker entry's script: `<name>.js` beside the calling bundle (an electron-vite entry; `dir` is the caller's
 * __dirname, which is a chunk folder or out/main), else, from the source tree, `<dir>/<name>.ts` bundled once
 * (shared/devBundle.ts, loaded only then).
 */
export async function workerScript(dir: string, name: string): Promise<string> {
  for (const f of [path.join(dir, `${name}.js`), path.join(dir, '..', `${name}.js`)]) if (fs.existsSync(f)) return f;
  const { devBundle } = await import('./devBundle');
  return devBundle(path.join(dir, `${name}.ts`));
}
