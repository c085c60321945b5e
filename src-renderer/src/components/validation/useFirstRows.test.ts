import { describe, expect, it } from 'vitest';
import { rowsInView } from './useFirstRows';

describe('rowsInView', () => {
  it('covers a window of rows at least 24 px tall, within 20..80', () => {
    expect(rowsInView(768)).toBe(32);
    expect(rowsInView(1080)).toBe(45);
    expect(rowsInView(200)).toBe(20);
    expect(rowsInView(4000)).toBe(80);
  });
});
