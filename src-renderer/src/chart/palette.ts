// The chart's colours, read from the theme's CSS variables (light and dark follow the system).

export interface Palette {
  text: string;
  muted: string;
  grid: string;
  border: string;
  up: string;
  down: string;
  volumeUp: string;
  volumeDown: string;
  extended: string;
  warn: string;
  err: string;
  info: string;
  sma: string;
  vwap: string;
  compare: string;
}

/** lightweight-charts parses colours itself (no color-mix): theme hex colours with an alpha, as rgba(). */
function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  return m ? `rgba(${parseInt(m[1]!, 16)}, ${parseInt(m[2]!, 16)}, ${parseInt(m[3]!, 16)}, ${alpha})` : color;
}

export function palette(el: HTMLElement): Palette {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const up = v('--ok', '#1a7f37');
  const down = v('--err', '#c0262d');
  return {
    text: v('--text', '#1a1d23'),
    muted: v('--muted', '#636b78'),
    grid: v('--border', '#dcdfe5'),
    border: v('--border-strong', '#c5cad3'),
    up,
    down,
    volumeUp: withAlpha(up, 0.4),
    volumeDown: withAlpha(down, 0.4),
    extended: v('--idle-soft', '#eceef2'),
    warn: v('--warn', '#9a6700'),
    err: down,
    info: v('--info', '#1f6feb'),
    sma: v('--chart-5', '#8250df'),
    vwap: v('--chart-vwap', '#0969da'),
    compare: v('--chart-6', '#0a7d8c'),
  };
}
