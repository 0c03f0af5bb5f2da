/**
 * An RGB picture in memory and the few drawing operations our plots need: rectangles, lines, dots and
 * text in a built-in 5x7 bitmap font. Everything clips at the edges, so callers may draw partly outside.
 */

/** Pixels row-major, three bytes (red, green, blue) a pixel. Encode with `encodePng` / `writePng`. */
export interface Raster {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** A colour as [red, green, blue], each 0..255. */
export type Rgb = readonly [number, number, number];

export const WHITE: Rgb = [255, 255, 255];
export const BLACK: Rgb = [0, 0, 0];

export function createRaster(width: number, height: number, background: Rgb = WHITE): Raster {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`createRaster: size ${width}x${height} must be positive integers.`);
  }
  const raster = { width, height, pixels: new Uint8Array(width * height * 3) };
  fill(raster, background);
  return raster;
}

export function fill(raster: Raster, color: Rgb): void {
  const { pixels } = raster;
  for (let i = 0; i < pixels.length; i += 3) {
    pixels[i] = color[0];
    pixels[i + 1] = color[1];
    pixels[i + 2] = color[2];
  }
}

/** Sets one pixel; coordinates are rounded down, and pixels outside the raster are ignored. */
export function setPixel(raster: Raster, x: number, y: number, color: Rgb): void {
  x = Math.floor(x);
  y = Math.floor(y);
  if (x < 0 || y < 0 || x >= raster.width || y >= raster.height) return;
  const at = (y * raster.width + x) * 3;
  raster.pixels[at] = color[0];
  raster.pixels[at + 1] = color[1];
  raster.pixels[at + 2] = color[2];
}

export function getPixel(raster: Raster, x: number, y: number): Rgb {
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= raster.width || y >= raster.height) {
    throw new Error(`getPixel: (${x}, ${y}) is outside the ${raster.width}x${raster.height} raster.`);
  }
  const at = (y * raster.width + x) * 3;
  return [raster.pixels[at], raster.pixels[at + 1], raster.pixels[at + 2]];
}

/** Fills the `width` x `height` rectangle whose top-left pixel is (x, y). */
export function fillRect(raster: Raster, x: number, y: number, width: number, height: number, color: Rgb): void {
  const left = Math.max(0, Math.floor(x));
  const top = Math.max(0, Math.floor(y));
  const right = Math.min(raster.width, Math.floor(x) + width);
  const bottom = Math.min(raster.height, Math.floor(y) + height);
  for (let row = top; row < bottom; row++) {
    for (let column = left; column < right; column++) {
      const at = (row * raster.width + column) * 3;
      raster.pixels[at] = color[0];
      raster.pixels[at + 1] = color[1];
      raster.pixels[at + 2] = color[2];
    }
  }
}

/** A one-pixel outline just inside the `width` x `height` rectangle at (x, y). */
export function strokeRect(raster: Raster, x: number, y: number, width: number, height: number, color: Rgb): void {
  if (width < 1 || height < 1) return;
  fillRect(raster, x, y, width, 1, color);
  fillRect(raster, x, y + height - 1, width, 1, color);
  fillRect(raster, x, y, 1, height, color);
  fillRect(raster, x + width - 1, y, 1, height, color);
}

/** A one-pixel line from (x0, y0) to (x1, y1), both ends included (Bresenham's algorithm). */
export function drawLine(raster: Raster, x0: number, y0: number, x1: number, y1: number, color: Rgb): void {
  x0 = Math.round(x0);
  y0 = Math.round(y0);
  x1 = Math.round(x1);
  y1 = Math.round(y1);
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const stepX = x0 < x1 ? 1 : -1;
  const stepY = y0 < y1 ? 1 : -1;
  let error = dx + dy;
  for (;;) {
    setPixel(raster, x0, y0, color);
    if (x0 === x1 && y0 === y1) return;
    const doubled = 2 * error;
    if (doubled >= dy) {
      error += dy;
      x0 += stepX;
    }
    if (doubled <= dx) {
      error += dx;
      y0 += stepY;
    }
  }
}

/**
 * A filled disc centred at (cx, cy) in continuous coordinates (pixel (i, j) covers [i, i+1) x [j, j+1)):
 * every pixel whose centre lies within `radius` is painted. A radius below 0.71 still paints the pixel
 * holding the centre, so points never vanish.
 */
export function fillCircle(raster: Raster, cx: number, cy: number, radius: number, color: Rgb): void {
  const reach = Math.ceil(radius);
  const centreX = Math.floor(cx);
  const centreY = Math.floor(cy);
  setPixel(raster, centreX, centreY, color);
  for (let y = centreY - reach; y <= centreY + reach; y++) {
    for (let x = centreX - reach; x <= centreX + reach; x++) {
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      if (dx * dx + dy * dy <= radius * radius) setPixel(raster, x, y, color);
    }
  }
}

/** Copies `source` into `raster` with its top-left corner at (x, y), clipping at the edges. */
export function blit(raster: Raster, source: Raster, x: number, y: number): void {
  for (let row = 0; row < source.height; row++) {
    const targetY = y + row;
    if (targetY < 0 || targetY >= raster.height) continue;
    for (let column = 0; column < source.width; column++) {
      const targetX = x + column;
      if (targetX < 0 || targetX >= raster.width) continue;
      const from = (row * source.width + column) * 3;
      const to = (targetY * raster.width + targetX) * 3;
      raster.pixels[to] = source.pixels[from];
      raster.pixels[to + 1] = source.pixels[from + 1];
      raster.pixels[to + 2] = source.pixels[from + 2];
    }
  }
}

/** Each glyph is 5 pixels wide and 7 tall; text advances 6 pixels a character (times `scale`). */
export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
const ADVANCE = GLYPH_WIDTH + 1;

/**
 * Draws `text` with its top-left corner at (x, y), each font pixel a `scale` x `scale` square. Letters are
 * drawn in upper case; characters the font lacks are drawn as '?'. Returns the width drawn, in pixels.
 */
export function drawText(raster: Raster, text: string, x: number, y: number, color: Rgb, scale = 1): number {
  let penX = Math.round(x);
  const top = Math.round(y);
  for (const character of text) {
    const glyph = glyphFor(character);
    for (let row = 0; row < GLYPH_HEIGHT; row++) {
      for (let column = 0; column < GLYPH_WIDTH; column++) {
        if (glyph[row][column] === '#') fillRect(raster, penX + column * scale, top + row * scale, scale, scale, color);
      }
    }
    penX += ADVANCE * scale;
  }
  return textWidth(text, scale);
}

/** Width in pixels of `text` drawn at `scale` (no trailing gap after the last character). */
export function textWidth(text: string, scale = 1): number {
  const length = [...text].length;
  return length === 0 ? 0 : (length * ADVANCE - 1) * scale;
}

export function textHeight(scale = 1): number {
  return GLYPH_HEIGHT * scale;
}

/** Whether the font has a glyph for `character` (upper or lower case). */
export function hasGlyph(character: string): boolean {
  return character.toUpperCase() in FONT;
}

function glyphFor(character: string): readonly string[] {
  return FONT[character.toUpperCase()] ?? FONT['?'];
}

/** The 5x7 font, drawn by hand: '#' is ink. Digits, upper-case letters and the punctuation of labels and numbers. */
const FONT: Record<string, readonly string[]> = {
  '0': ['.###.', '#...#', '#..##', '#.#.#', '##..#', '#...#', '.###.'],
  '1': ['..#..', '.##..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  '2': ['.###.', '#...#', '....#', '...#.', '..#..', '.#...', '#####'],
  '3': ['#####', '...#.', '..#..', '...#.', '....#', '#...#', '.###.'],
  '4': ['...#.', '..##.', '.#.#.', '#..#.', '#####', '...#.', '...#.'],
  '5': ['#####', '#....', '####.', '....#', '....#', '#...#', '.###.'],
  '6': ['..##.', '.#...', '#....', '####.', '#...#', '#...#', '.###.'],
  '7': ['#####', '....#', '...#.', '..#..', '.#...', '.#...', '.#...'],
  '8': ['.###.', '#...#', '#...#', '.###.', '#...#', '#...#', '.###.'],
  '9': ['.###.', '#...#', '#...#', '.####', '....#', '...#.', '.##..'],
  A: ['.###.', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  B: ['####.', '#...#', '#...#', '####.', '#...#', '#...#', '####.'],
  C: ['.###.', '#...#', '#....', '#....', '#....', '#...#', '.###.'],
  D: ['###..', '#..#.', '#...#', '#...#', '#...#', '#..#.', '###..'],
  E: ['#####', '#....', '#....', '####.', '#....', '#....', '#####'],
  F: ['#####', '#....', '#....', '####.', '#....', '#....', '#....'],
  G: ['.###.', '#...#', '#....', '#.###', '#...#', '#...#', '.####'],
  H: ['#...#', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  I: ['.###.', '..#..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  J: ['..###', '...#.', '...#.', '...#.', '...#.', '#..#.', '.##..'],
  K: ['#...#', '#..#.', '#.#..', '##...', '#.#..', '#..#.', '#...#'],
  L: ['#....', '#....', '#....', '#....', '#....', '#....', '#####'],
  M: ['#...#', '##.##', '#.#.#', '#.#.#', '#...#', '#...#', '#...#'],
  N: ['#...#', '#...#', '##..#', '#.#.#', '#..##', '#...#', '#...#'],
  O: ['.###.', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
  P: ['####.', '#...#', '#...#', '####.', '#....', '#....', '#....'],
  Q: ['.###.', '#...#', '#...#', '#...#', '#.#.#', '#..#.', '.##.#'],
  R: ['####.', '#...#', '#...#', '####.', '#.#..', '#..#.', '#...#'],
  S: ['.####', '#....', '#....', '.###.', '....#', '....#', '####.'],
  T: ['#####', '..#..', '..#..', '..#..', '..#..', '..#..', '..#..'],
  U: ['#...#', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
  V: ['#...#', '#...#', '#...#', '#...#', '#...#', '.#.#.', '..#..'],
  W: ['#...#', '#...#', '#...#', '#.#.#', '#.#.#', '#.#.#', '.#.#.'],
  X: ['#...#', '#...#', '.#.#.', '..#..', '.#.#.', '#...#', '#...#'],
  Y: ['#...#', '#...#', '.#.#.', '..#..', '..#..', '..#..', '..#..'],
  Z: ['#####', '....#', '...#.', '..#..', '.#...', '#....', '#####'],
  ' ': ['.....', '.....', '.....', '.....', '.....', '.....', '.....'],
  '-': ['.....', '.....', '.....', '.###.', '.....', '.....', '.....'],
  '+': ['.....', '..#..', '..#..', '#####', '..#..', '..#..', '.....'],
  '=': ['.....', '.....', '#####', '.....', '#####', '.....', '.....'],
  '.': ['.....', '.....', '.....', '.....', '.....', '.##..', '.##..'],
  ',': ['.....', '.....', '.....', '.....', '.##..', '..#..', '.#...'],
  ':': ['.....', '.##..', '.##..', '.....', '.##..', '.##..', '.....'],
  '/': ['.....', '....#', '...#.', '..#..', '.#...', '#....', '.....'],
  '(': ['...#.', '..#..', '.#...', '.#...', '.#...', '..#..', '...#.'],
  ')': ['.#...', '..#..', '...#.', '...#.', '...#.', '..#..', '.#...'],
  '%': ['##...', '##..#', '...#.', '..#..', '.#...', '#..##', '...##'],
  '_': ['.....', '.....', '.....', '.....', '.....', '.....', '#####'],
  '?': ['.###.', '#...#', '....#', '...#.', '..#..', '.....', '..#..'],
};
