import type { QueryChild, QueryLauncher } from '../../query/process';

// The desktop's query process: Electron's utility process. Forking the Electron binary as Node needs the RunAsNode
// fuse, which the packaged app turns off; a utility process is a Node child Electron itself starts and ends.

/** The part of an Electron UtilityProcess the launcher uses. */
export interface UtilityChildLike {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: 'spawn', cb: () => void): unknown;
  on(event: 'message', cb: (message: unknown) => void): unknown;
  on(event: 'exit', cb: (code: number) => void): unknown;
}

/** The part of Electron's `utilityProcess` the launcher uses (passed in: only hosts/electron/main.ts imports electron). */
export interface UtilityProcessLike {
  fork(modulePath: string, args: string[], options: { env: Record<string, string>; execArgv: string[]; serviceName: string; stdio: 'ignore' | 'inherit' | 'pipe' }): UtilityChildLike;
}

export function utilityLauncher(up: UtilityProcessLike): QueryLauncher {
  return (script, env) => {
    const child = up.fork(script.file, [], { env, execArgv: [...script.execArgv, '--max-old-space-size=1024'], serviceName: 'MarketPipe query engine', stdio: 'ignore' });
    // messages sent before the process is up wait for it
    let queue: unknown[] | null = [];
    child.on('spawn', () => {
      for (const m of queue ?? []) child.postMessage(m);
      queue = null;
    });
    const q: QueryChild = {
      get pid() {
        return child.pid;
      },
      send: (m) => (queue ? queue.push(m) : child.postMessage(m)),
      kill: () => void child.kill(),
      onMessage: (cb) => void child.on('message', cb),
      onExit: (cb) => void child.on('exit', (code) => cb(code)),
    };
    return q;
  };
}
