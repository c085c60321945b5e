import { describe, expect, it } from 'vitest';
import { commandForKey, register, type Command, type KeyLike } from './registry';
import { commands, runCommand } from '.';

const key = (k: string, o: Partial<KeyLike> = {}): KeyLike => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, target: { tagName: 'BODY' }, timeStamp: 1000, ...o });

describe('the command registry', () => {
  it('holds one command per id, and refuses a second', () => {
    const ids = commands().map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['app.shortcuts', 'go.query', 'page.export']));
    expect(() => register({ id: 'app.shortcuts', label: 'again', keys: [] })).toThrow(/twice/);
  });

  it('refuses keys the key handler could not match', () => {
    expect(() => register({ id: 'test.bad-chord', label: 'x', keys: ['h q'], run: () => {} })).toThrow(/chord/);
  });

  it('runs a command by id (the desktop menu), and says when there is none to run', () => {
    expect(runCommand('nope')).toBe(false);
    // listed for reference only: a component handles its keys
    expect(runCommand('query.run')).toBe(false);
  });

  it('matches only commands that run, not those a component handles', () => {
    const list: Command[] = [{ id: 'a', label: 'A', keys: ['Ctrl+Enter'] }, { id: 'b', label: 'B', keys: ['Ctrl+Enter'], run: () => {} }];
    expect(commandForKey(key('Enter', { ctrlKey: true }), null, list)).toEqual({ type: 'run', command: list[1] });
    expect(commandForKey(key('Enter', { ctrlKey: true, altKey: true }), null, list)).toBeNull();
  });
});
