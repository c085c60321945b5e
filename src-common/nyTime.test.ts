import { describe, expect, it } from 'vitest';
import { fromNyWall, nyOffset, toNyWall } from './nyTime';

describe('New York time', () => {
  it('knows the offset in winter and summer', () => {
    expect(nyOffset(Date.UTC(2024, 0, 15, 15))).toBe(-5 * 3_600_000);
    expect(nyOffset(Date.UTC(2024, 6, 15, 15))).toBe(-4 * 3_600_000);
  });

  it('reads an instant on the New York clock and back', () => {
    const open = Date.UTC(2024, 6, 15, 13, 30); // 09:30 EDT
    expect(toNyWall(open)).toBe(Date.UTC(2024, 6, 15, 9, 30));
    expect(fromNyWall(toNyWall(open))).toBe(open);
  });
});
