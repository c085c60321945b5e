// The fake provider's worker thread (started by WorkerPool from fake.ts; built by electron-vite as its own entry,
// out/main/fakeWorker.js): generates pages of bars off the engine's event loop and hands their buffers over.
import { serveTasks } from '../shared/workers';
import { FAKE_TASKS, fakePage } from './fakeBars';
import { BAR_COLUMNS } from './types';

serveTasks(FAKE_TASKS, {
  'fake.page': ({ symbol, days, skip, take }) => {
    const b = fakePage(symbol, days, skip, take);
    return { value: b, transfer: BAR_COLUMNS.map((c) => b[c].buffer as ArrayBuffer) } // emptyBatch allocates plain ArrayBuffers;
  },
});
