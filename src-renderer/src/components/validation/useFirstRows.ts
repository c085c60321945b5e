import { startTransition, useEffect, useState } from 'react';

/**
 * How many of a page's rows to render now: on a new page only those a window can show, then every row right after
 * that first paint (a transition, so typing or a click is never held behind it). A page of findings is on screen as
 * soon as its first rows are; the rows below the fold follow within a frame or two. All rows stay in the DOM after.
 */
export function useFirstRows<T>(rows: readonly T[], first: number): number {
  const [state, setState] = useState({ rows, n: Math.min(rows.length, first) });
  let n = state.n;
  if (state.rows !== rows) {
    // a new page: reset during render (React's pattern for state derived from props), no extra commit
    n = Math.min(rows.length, first);
    setState({ rows, n });
  }
  useEffect(() => {
    if (n >= rows.length) return;
    // rAF runs before the next paint; a task queued from it runs after that paint
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => startTransition(() => setState({ rows, n: rows.length })), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [rows, n]);
  return n;
}

/** The rows a window of this height can show at most (a findings row is at least 24 px tall), within 20..80. */
export function rowsInView(windowHeight: number): number {
  return Math.min(80, Math.max(20, Math.ceil(windowHeight / 24)));
}
