import { deflateSync, inflateSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../checkpoint/atomic-write.js';
import { decodePng, encodePng, type DecodedPng, type PngImage } from './png.js';

/** Node only: encodes `image` (RGB unless `channels: 1`) and writes it atomically to `path`. */
export async function writePng(path: string, image: PngImage): Promise<void> {
  await writeFileAtomic(path, encodePng(image, nodeDeflate));
}

/** Node only: reads a PNG written by `writePng` (8-bit grayscale or RGB). */
export async function readPng(path: string): Promise<DecodedPng> {
  return decodePng(new Uint8Array(await readFile(path)), nodeInflate);
}

export function nodeDeflate(data: Uint8Array): Uint8Array {
  return deflateSync(data, { level: 9 });
}

export function nodeInflate(data: Uint8Array): Uint8Array {
  return inflateSync(data);
}
