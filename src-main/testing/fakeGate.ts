import fs from 'node:fs';
import path from 'node:path';

/**
 * The MP_FAKE_GATE test hook (providers/fakeGate.ts) over a folder: `hold` makes the fake provider wait before a
 * symbol's page (every symbol's with '_all') until `release`. `env` goes into the engine's or the CLI's environment.
 */
export interface FakeGate {
  readonly env: { MP_FAKE_GATE: string };
  /** holds `symbol`'s fetches before their page `afterPages` (0: before the first) */
  hold(symbol?: string, afterPages?: number): void;
  release(symbol?: string): void;
}

export function fakeGateIn(dir: string): FakeGate {
  const gate = path.join(dir, 'fake-gate');
  fs.mkdirSync(gate, { recursive: true });
  return {
    env: { MP_FAKE_GATE: gate },
    hold: (symbol = '_all', afterPages = 0) => fs.writeFileSync(path.join(gate, symbol), String(afterPages)),
    release: (symbol = '_all') => fs.rmSync(path.join(gate, symbol), { force: true }),
  };
}
