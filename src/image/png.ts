/**
 * PNG encoding and decoding for 8-bit grayscale and RGB images, without interlacing. Compression is
 * injected (`deflate` / `inflate` producing or reading a zlib stream) so this file runs in the browser as
 * well as in Node; `write-png.ts` is the Node wrapper that supplies node:zlib.
 */

/** Pixels row-major, `channels` bytes a pixel: 1 for grayscale, 3 for RGB (the default, as in a Raster). */
export interface PngImage {
  width: number;
  height: number;
  pixels: Uint8Array;
  channels?: 1 | 3;
}

export interface DecodedPng {
  width: number;
  height: number;
  channels: 1 | 3;
  pixels: Uint8Array;
}

/** Bytes in, a zlib stream (RFC 1950) out, e.g. node:zlib's deflateSync or a browser library. */
export type Deflate = (data: Uint8Array) => Uint8Array;
/** A zlib stream in, the original bytes out. */
export type Inflate = (data: Uint8Array) => Uint8Array;

/**
 * How each row is filtered before compression: one of the five PNG filter types, or 'adaptive' to pick,
 * row by row, the filter whose output has the smallest sum of absolute (signed) bytes (the heuristic the
 * PNG specification recommends).
 */
export type PngFilter = 'adaptive' | 0 | 1 | 2 | 3 | 4;

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const COLOR_TYPE_GRAY = 0;
const COLOR_TYPE_RGB = 2;
/** Large images are split into IDAT chunks of this size, a common choice that keeps decoders' buffers small. */
const IDAT_CHUNK_BYTES = 1 << 16;
/** The largest chunk length PNG allows (2^31 - 1). */
const MAX_CHUNK_LENGTH = 0x7fffffff;

export function encodePng(image: PngImage, deflate: Deflate, { filter = 'adaptive' }: { filter?: PngFilter } = {}): Uint8Array {
  const channels = image.channels ?? 3;
  const { width, height, pixels } = image;
  checkImage(width, height, channels, pixels);

  const rowBytes = width * channels;
  const filtered = new Uint8Array(height * (rowBytes + 1));
  const candidates = Array.from({ length: 5 }, () => new Uint8Array(rowBytes));
  const zeroRow = new Uint8Array(rowBytes);
  for (let y = 0; y < height; y++) {
    const row = pixels.subarray(y * rowBytes, (y + 1) * rowBytes);
    const above = y > 0 ? pixels.subarray((y - 1) * rowBytes, y * rowBytes) : zeroRow;
    let chosen: number;
    if (filter === 'adaptive') {
      chosen = 0;
      let bestCost = Infinity;
      for (let type = 0; type < 5; type++) {
        filterRow(type, row, above, channels, candidates[type]);
        const cost = signedMagnitude(candidates[type]);
        if (cost < bestCost) {
          bestCost = cost;
          chosen = type;
        }
      }
    } else {
      chosen = filter;
      filterRow(chosen, row, above, channels, candidates[chosen]);
    }
    const start = y * (rowBytes + 1);
    filtered[start] = chosen;
    filtered.set(candidates[chosen], start + 1);
  }

  const compressed = deflate(filtered);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = channels === 1 ? COLOR_TYPE_GRAY : COLOR_TYPE_RGB;
  // header[10..12]: compression 0 (deflate), filter method 0, interlace 0 (none)

  const chunks: Uint8Array[] = [SIGNATURE, chunk('IHDR', header)];
  for (let at = 0; at < compressed.length || at === 0; at += IDAT_CHUNK_BYTES) {
    chunks.push(chunk('IDAT', compressed.subarray(at, at + IDAT_CHUNK_BYTES)));
  }
  chunks.push(chunk('IEND', new Uint8Array(0)));
  return concatBytes(chunks);
}

/**
 * Reads a non-interlaced 8-bit grayscale or RGB PNG (what `encodePng` writes), checking the signature and
 * every chunk's CRC. Ancillary chunks are skipped. Meant for tests and tools that read our own pictures back.
 */
export function decodePng(bytes: Uint8Array, inflate: Inflate): DecodedPng {
  const fail = (why: string): never => {
    throw new Error(`decodePng: ${why}`);
  };
  if (bytes.length < SIGNATURE.length || SIGNATURE.some((byte, i) => bytes[i] !== byte)) {
    fail('the data does not start with the PNG signature.');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = SIGNATURE.length;
  let header: { width: number; height: number; channels: 1 | 3 } | null = null;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (!ended) {
    if (at + 12 > bytes.length) fail(`truncated: a chunk header was expected at byte ${at} of ${bytes.length}.`);
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (length > MAX_CHUNK_LENGTH || at + 12 + length > bytes.length) {
      fail(`truncated: chunk '${type}' at byte ${at} claims ${length} bytes but the data ends at ${bytes.length}.`);
    }
    const data = bytes.subarray(at + 8, at + 8 + length);
    const storedCrc = view.getUint32(at + 8 + length);
    const actualCrc = crc32(bytes.subarray(at + 4, at + 8 + length));
    if (storedCrc !== actualCrc) {
      fail(`chunk '${type}' at byte ${at} has CRC 0x${hex(storedCrc)} but its contents give 0x${hex(actualCrc)} (corrupt file).`);
    }
    at += 12 + length;

    if (header === null && type !== 'IHDR') fail(`the first chunk is '${type}', not 'IHDR'.`);
    if (type === 'IHDR') {
      if (header !== null) fail('more than one IHDR chunk.');
      if (length !== 13) fail(`IHDR has ${length} bytes, not 13.`);
      const chunkView = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const width = chunkView.getUint32(0);
      const height = chunkView.getUint32(4);
      const [bitDepth, colorType, compression, filterMethod, interlace] = data.subarray(8, 13);
      if (width === 0 || height === 0) fail(`the image is ${width}x${height}; PNG needs both sizes positive.`);
      if (bitDepth !== 8) fail(`bit depth ${bitDepth} is not supported (only 8).`);
      if (colorType !== COLOR_TYPE_GRAY && colorType !== COLOR_TYPE_RGB) {
        fail(`colour type ${colorType} is not supported (only 0, grayscale, and 2, RGB).`);
      }
      if (compression !== 0 || filterMethod !== 0) fail(`unknown compression (${compression}) or filter method (${filterMethod}).`);
      if (interlace !== 0) fail('interlaced images are not supported.');
      header = { width, height, channels: colorType === COLOR_TYPE_GRAY ? 1 : 3 };
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      ended = true;
    } else if ((type.charCodeAt(0) & 0x20) === 0) {
      // Bit 5 of the first type byte clear means "critical": a decoder must not skip what it does not know.
      fail(`unknown critical chunk '${type}'.`);
    }
  }
  if (header === null) return fail('no IHDR chunk.');
  if (idat.length === 0) fail('no IDAT chunk.');

  const { width, height, channels } = header;
  const rowBytes = width * channels;
  let filtered: Uint8Array;
  try {
    filtered = inflate(concatBytes(idat));
  } catch (error) {
    return fail(`the image data does not inflate: ${(error as Error).message}`);
  }
  if (filtered.length !== height * (rowBytes + 1)) {
    fail(`the image data has ${filtered.length} bytes after inflating; ${width}x${height} with ${channels} channel(s) needs ${height * (rowBytes + 1)}.`);
  }
  const pixels = new Uint8Array(height * rowBytes);
  const zeroRow = new Uint8Array(rowBytes);
  for (let y = 0; y < height; y++) {
    const type = filtered[y * (rowBytes + 1)];
    if (type > 4) fail(`row ${y} has filter type ${type}; only 0..4 exist.`);
    const source = filtered.subarray(y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1));
    const row = pixels.subarray(y * rowBytes, (y + 1) * rowBytes);
    const above = y > 0 ? pixels.subarray((y - 1) * rowBytes, y * rowBytes) : zeroRow;
    unfilterRow(type, source, above, channels, row);
  }
  return { width, height, channels, pixels };
}

/** CRC-32 as used by PNG, zlib and gzip (reflected polynomial 0xEDB88320). Pass a previous CRC to continue one. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function checkImage(width: number, height: number, channels: number, pixels: Uint8Array): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > MAX_CHUNK_LENGTH || height > MAX_CHUNK_LENGTH) {
    throw new Error(`encodePng: the image is ${width}x${height}; both sizes must be positive integers.`);
  }
  if (channels !== 1 && channels !== 3) throw new Error(`encodePng: channels is ${channels}; use 1 (grayscale) or 3 (RGB).`);
  if (pixels.length !== width * height * channels) {
    throw new Error(`encodePng: ${pixels.length} pixel bytes, but ${width}x${height} with ${channels} channel(s) needs ${width * height * channels}.`);
  }
}

/**
 * The Paeth predictor: whichever of left (a), above (b) and upper-left (c) is closest to a + b - c,
 * ties broken in that order, as the PNG specification fixes it.
 */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  if (pb <= pc) return b;
  return c;
}

/** Writes into `out` the row as filter `type` sends it: each byte minus its prediction, modulo 256. */
function filterRow(type: number, row: Uint8Array, above: Uint8Array, stride: number, out: Uint8Array): void {
  for (let i = 0; i < row.length; i++) {
    const left = i >= stride ? row[i - stride] : 0;
    const up = above[i];
    const upperLeft = i >= stride ? above[i - stride] : 0;
    out[i] = (row[i] - predict(type, left, up, upperLeft)) & 0xff;
  }
}

/** The inverse of filterRow; `out` is filled left to right, so predictions use already-restored bytes. */
function unfilterRow(type: number, source: Uint8Array, above: Uint8Array, stride: number, out: Uint8Array): void {
  for (let i = 0; i < source.length; i++) {
    const left = i >= stride ? out[i - stride] : 0;
    const up = above[i];
    const upperLeft = i >= stride ? above[i - stride] : 0;
    out[i] = (source[i] + predict(type, left, up, upperLeft)) & 0xff;
  }
}

function predict(type: number, left: number, up: number, upperLeft: number): number {
  switch (type) {
    case 0:
      return 0;
    case 1:
      return left;
    case 2:
      return up;
    case 3:
      return (left + up) >>> 1;
    default:
      return paeth(left, up, upperLeft);
  }
}

/** Sum of the filtered bytes read as signed values: small when the filter predicted the row well. */
function signedMagnitude(bytes: Uint8Array): number {
  let total = 0;
  for (let i = 0; i < bytes.length; i++) total += bytes[i] < 128 ? bytes[i] : 256 - bytes[i];
  return total;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
