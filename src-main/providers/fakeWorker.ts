// The fake provider's worker thread (started by WorkerPool from fake.ts; built by electron-vite as its own entry,
// out/main/fakeWorker.js): generates blocks of bars off the engine's event loop and hands their buffers back.
import { serveTasks } from '../shared/workers';
import { FAKE_TASKS, fakeBlock } from './fakeBars';
import { BAR_COLUMNS } from './types';

serveTasks(FAKE_TASKS, {
  'fake.block': ({ symbol, days }) => {
    const b = fakeBlock(symbol, days);
    return { value: b, transfer: BAR_COLUMNS.map((c) => b[c].buffer as ArrayBuffer) } // emptyBatch allocates plain ArrayBuffers;
  },
});
