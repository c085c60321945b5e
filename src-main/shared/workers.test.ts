import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { makeTmpDir, type TmpDir } from '../testing/tmp';
import { WorkerPool } from './workers';

// The pool against real threads running small plain-JS scripts that speak its protocol (and break it on purpose).

const TASKS = {
  double: { arg: z.object({ x: z.number() }), result: z.object({ y: z.number(), thread: z.number() }) },
  fill: { arg: z.object({ n: z.number().int() }), result: z.object({ data: z.custom<Float64Array>((v) => v instanceof Float64Array) }) },
  fail: { arg: z.object({}), result: z.object({}) },
  crash: { arg: z.object({}), result: z.object({}) },
  exit: { arg: z.object({}), result: z.object({}) },
  garble: { arg: z.object({}), result: z.object({}) },
  bad: { arg: z.object({}), result: z.object({ y: z.number() }) },
  hold: { arg: z.object({ flag: z.custom<Int32Array>((v) => v instanceof Int32Array) }), result: z.object({ thread: z.number() }) },
};

// a worker that answers each task as its name says
const WORKER = `
const { parentPort, threadId } = require('node:worker_threads');
parentPort.on('message', ({ id, task, arg }) => {
  if (task === 'double') return parentPort.postMessage({ id, ok: true, value: { y: arg.x * 2, thread: threadId } });
  if (task === 'fill') {
    const data = new Float64Array(arg.n).fill(1.5);
    return parentPort.postMessage({ id, ok: true, value: { data } }, [data.buffer]);
  }
  if (task === 'fail') return parentPort.postMessage({ id, ok: false, error: { code: 'E_BAD_INPUT', message: 'no such thing' } });
  if (task === 'crash') setImmediate(() => { throw new Error('boom in the worker'); });
  if (task === 'exit') process.exit(3);
  if (task === 'garble') return parentPort.postMessage('not a reply');
  if (task === 'bad') return parentPort.postMessage({ id, ok: true, value: { y: 'seven' } });
  // busy until the parent sets the shared flag
  if (task === 'hold') {
    Atomics.wait(arg.flag, 0, 0);
    return parentPort.postMessage({ id, ok: true, value: { thread: threadId } });
  }
});
`;

let tmp: TmpDir;
let pools: WorkerPool<typeof TASKS>[] = [];
beforeEach(() => {
  tmp = makeTmpDir('mp-workers-');
  fs.writeFileSync(path.join(tmp.dir, 'worker.js'), WORKER);
});
afterEach(async () => {
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
  tmp.cleanup();
});

function pool(size = 1): WorkerPool<typeof TASKS> {
  const p = new WorkerPool(TASKS, { name: 'test', size, script: () => Promise.resolve(path.join(tmp.dir, 'worker.js')) });
  pools.push(p);
  return p;
}

describe('worker pool', () => {
  it('runs tasks on threads started on demand, at most size of them, and hands buffers back', async () => {
    const p = pool(2);
    expect(p.threads).toBe(0);
    const ys = await Promise.all([1, 2, 3, 4, 5].map((x) => p.run('double', { x })));
    expect(ys.map((r) => r.y)).toEqual([2, 4, 6, 8, 10]);
    expect(p.threads).toBe(2);
    const { data } = await p.run('fill', { n: 1000 });
    expect(data).toBeInstanceOf(Float64Array);
    expect(data.length).toBe(1000);
    expect(data[999]).toBe(1.5);
  });

  it('rejects a task with the error value its worker answered', async () => {
    await expect(pool().run('fail', {})).rejects.toMatchObject({ name: 'MpError', code: 'E_BAD_INPUT', message: 'no such thing' });
  });

  it.each([
    ['crash', /test worker failed: boom in the worker/],
    ['exit', /test worker failed: exited with code 3/],
    ['garble', /test worker failed: a reply out of protocol/],
  ] as const)('fails the task of a worker that breaks (%s) with E_INTERNAL, and runs the next on a new thread', async (task, message) => {
    const p = pool();
    const first = await p.run('double', { x: 1 });
    await expect(p.run(task, {})).rejects.toMatchObject({ code: 'E_INTERNAL', message: expect.stringMatching(message) });
    const again = await p.run('double', { x: 21 });
    expect(again.y).toBe(42);
    expect(again.thread).not.toBe(first.thread);
  });

  it('refuses a result that does not match its schema', async () => {
    await expect(pool().run('bad', {})).rejects.toMatchObject({ code: 'E_INTERNAL', message: 'test worker: a malformed bad result' });
  });

  it.each([
    ['a path Worker refuses', 'relative/worker.js', /test worker cannot start: .*/],
    ['a file that is not there', '/nonexistent/marketpipe-worker.js', /test worker failed: Cannot find module/],
  ])('fails the task, not the process, when the thread cannot start (%s)', async (_, script, message) => {
    const p = new WorkerPool(TASKS, { name: 'test', script: () => Promise.resolve(script) });
    pools.push(p);
    await expect(p.run('double', { x: 1 })).rejects.toMatchObject({ code: 'E_INTERNAL', message: expect.stringMatching(message) });
  });

  it('fails every task when the script cannot be had', async () => {
    const p = new WorkerPool(TASKS, { name: 'test', script: () => Promise.reject(new Error('no bundle')) });
    pools.push(p);
    await expect(p.run('double', { x: 1 })).rejects.toMatchObject({ code: 'E_INTERNAL', message: 'test worker script unavailable: no bundle' });
  });

  it('close() ends the threads and cancels the tasks still waiting; the pool takes no more', async () => {
    const p = pool(1);
    await p.run('double', { x: 1 });
    expect(p.threads).toBe(1);
    const queued = Promise.allSettled([p.run('double', { x: 2 }), p.run('double', { x: 3 })]);
    await p.close();
    expect(p.threads).toBe(0);
    for (const q of await queued) expect(q).toMatchObject({ status: 'rejected', reason: { code: 'E_CANCELLED' } });
    await expect(p.run('double', { x: 4 })).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });

  it('endIdle() ends the idle threads only; a busy one finishes its task, and threads start again on demand', async () => {
    const p = pool(2);
    const [a, b] = await Promise.all([p.run('double', { x: 1 }), p.run('double', { x: 2 })]);
    expect(p.threads).toBe(2);
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const held = p.run('hold', { flag });
    // queued after the hold: once it is answered, the hold is on the other thread
    await p.run('double', { x: 3 });
    await p.endIdle();
    expect(p.threads).toBe(1);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    expect([a.thread, b.thread]).toContain((await held).thread);
    await p.endIdle();
    expect(p.threads).toBe(0);
    const again = await p.run('double', { x: 21 });
    expect(again.y).toBe(42);
    expect([a.thread, b.thread]).not.toContain(again.thread);
    expect(p.threads).toBe(1);
  });
});
