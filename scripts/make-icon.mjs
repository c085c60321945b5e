#!/usr/bin/env node
// Writes build/icon.png (512x512), the one icon electron-builder needs: it derives the .ico (Windows), .icns (macOS)
// and the Linux sizes from it. Drawn here (no image tools needed): candlesticks on a rounded dark-blue square.
// Run it again only to change the design; the PNG is committed.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const SIZE = 512;
const px = Buffer.alloc(SIZE * SIZE * 4);
const set = (x, y, [r, g, b, a]) => px.set([r, g, b, a], (y * SIZE + x) * 4);
const inRounded = (x, y, r) => {
  const cx = Math.min(Math.max(x, r), SIZE - 1 - r);
  const cy = Math.min(Math.max(y, r), SIZE - 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) if (inRounded(x, y, 96)) set(x, y, [20, 40, 80, 255]);
// candles: [centre x, wick top, body top, body bottom, wick bottom, up?]
const candles = [
  [120, 250, 290, 380, 410, false],
  [205, 200, 230, 330, 360, true],
  [290, 150, 190, 280, 320, true],
  [375, 90, 120, 230, 270, true],
];
for (const [cx, wt, bt, bb, wb, up] of candles) {
  const colour = up ? [60, 200, 120, 255] : [230, 80, 80, 255];
  for (let y = wt; y <= wb; y++) for (let x = cx - 4; x <= cx + 4; x++) set(x, y, colour);
  for (let y = bt; y <= bb; y++) for (let x = cx - 28; x <= cx + 28; x++) set(x, y, colour);
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) px.copy(raw, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4);
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'build', 'icon.png');
fs.writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
