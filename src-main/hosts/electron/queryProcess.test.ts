import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { utilityLauncher, type UtilityChildLike } from './queryProcess';

// The desktop's query process launcher against a stand-in for Electron's utilityProcess (no Electron binary here).

class FakeChild extends EventEmitter implements UtilityChildLike {
  pid: number | undefined = undefined;
  posted: unknown[] = [];
  killed = false;
  postMessage(m: unknown): void {
    this.posted.push(m);
  }
  kill(): boolean {
    this.killed = true;
    return true;
  }
}

describe('utilityLauncher', () => {
  it('forks the query host as a utility process, holds messages until it is up, and ends it', () => {
    const child = new FakeChild();
    const forks: { file: string; env: Record<string, string> }[] = [];
    const launch = utilityLauncher({ fork: (file, _args, o) => (forks.push({ file, env: o.env }), child) });
    const q = launch({ file: '/app/out/main/queryHost.js', execArgv: [] }, { MP_QUERY_HOST_CONFIG: '{}' });
    expect(forks).toEqual([{ file: '/app/out/main/queryHost.js', env: { MP_QUERY_HOST_CONFIG: '{}' } }]);
    q.send({ t: 'ack', id: 1 });
    expect(child.posted).toEqual([]);
    child.pid = 4242;
    child.emit('spawn');
    q.send({ t: 'ack', id: 2 });
    expect(child.posted).toEqual([{ t: 'ack', id: 1 }, { t: 'ack', id: 2 }]);
    expect(q.pid).toBe(4242);
    const got: unknown[] = [];
    const exits: (number | null)[] = [];
    q.onMessage((m) => got.push(m));
    q.onExit((c) => exits.push(c));
    child.emit('message', { t: 'rss', bytes: 1 });
    q.kill();
    child.emit('exit', 9);
    expect(got).toEqual([{ t: 'rss', bytes: 1 }]);
    expect(child.killed).toBe(true);
    expect(exits).toEqual([9]);
  });
});
