// The validate worker (started by judgeWorkers.ts; built by electron-vite as its own entry, out/main/validateWorker.js):
// runs a validation's DuckDB part (judge.ts) off the engine's event loop. Each task opens, uses and closes its own
// instance, so the thread holds no DuckDB between tasks and can be ended once its task has answered.
import { serveTasks } from '../shared/workers';
import { judge } from './judge';
import { JUDGE_TASKS } from './judgeTasks';

serveTasks(JUDGE_TASKS, {
  'validate.judge': async (input) => ({ value: await judge(input) }),
});
