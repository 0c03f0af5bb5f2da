/**
 * The IDX format of the MNIST files (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS"): a 4-byte
 * magic number `00 00 <type> <rank>`, then `rank` big-endian u32 dimensions, then the values in
 * row-major order. Only unsigned bytes (type 0x08) are read here: that is what MNIST and its
 * look-alikes (Fashion-MNIST, KMNIST) ship. Labels are rank 1 (magic 0x00000801), images rank 3
 * (0x00000803).
 *
 * No Node imports: the browser can fetch the files and parse them too. Gzipped files (starting
 * 1f 8b) need a `decompress` function from the caller; the Node loader passes zlib's gunzipSync.
 */

export interface IdxArray {
  /** Dimensions from the header, e.g. [60000, 28, 28]. */
  dims: number[];
  /** The values, row-major; a view into the given (or decompressed) bytes, not a copy. */
  data: Uint8Array;
}

/** Turns gzip-compressed bytes into the raw file. */
export type Decompress = (compressed: Uint8Array) => Uint8Array;

export interface ParseIdxOptions {
  /** Number of dimensions the file must have (1 for labels, 3 for images). */
  rank?: number;
  /** Used when the bytes are gzip-compressed; without it such bytes are refused. */
  decompress?: Decompress;
}

const UNSIGNED_BYTE = 0x08;
const TYPE_NAMES: Record<number, string> = { 0x09: 'signed byte', 0x0b: 'short', 0x0c: 'int', 0x0d: 'float', 0x0e: 'double' };

/** Whether `bytes` start with the gzip signature 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads an IDX file of unsigned bytes. `what` names the file in errors. Throws when the magic number,
 * the value type or the rank is wrong, and when the length does not match the header exactly
 * (truncated download, or trailing bytes).
 */
export function parseIdx(bytes: Uint8Array, what: string, options: ParseIdxOptions = {}): IdxArray {
  if (isGzip(bytes)) {
    if (!options.decompress) {
      throw new Error(`${what}: the file is gzip-compressed; gunzip it first, or pass a decompress function to parseIdx.`);
    }
    return parseIdx(options.decompress(bytes), `${what} (gunzipped)`, { ...options, decompress: undefined });
  }
  if (bytes.length < 4) {
    throw new Error(`${what}: ${bytes.length} bytes is too short for an IDX file (the header alone is at least 8 bytes); the file is truncated.`);
  }
  const [zero0, zero1, type, rank] = bytes;
  const magic = (((zero0 << 24) | (zero1 << 16) | (type << 8) | rank) >>> 0).toString(16).padStart(8, '0');
  if (zero0 !== 0 || zero1 !== 0) {
    throw new Error(`${what}: magic number 0x${magic} is not an IDX header (expected 0x00000801 for labels or 0x00000803 for images).`);
  }
  if (type !== UNSIGNED_BYTE) {
    const name = TYPE_NAMES[type] ?? 'an unknown type';
    throw new Error(`${what}: magic number 0x${magic} says the values are ${name} (0x${type.toString(16).padStart(2, '0')}); only unsigned bytes (0x08) are supported.`);
  }
  if (rank === 0 || (options.rank !== undefined && rank !== options.rank)) {
    const expected = options.rank !== undefined ? `${options.rank}` : 'at least 1';
    throw new Error(`${what}: magic number 0x${magic} gives ${rank} dimensions, expected ${expected} (labels have 1, images 3).`);
  }
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw new Error(`${what}: the header of ${rank} dimensions needs ${headerLength} bytes, the file has only ${bytes.length}; the file is truncated.`);
  }
  const header = new DataView(bytes.buffer, bytes.byteOffset, headerLength);
  const dims: number[] = [];
  for (let axis = 0; axis < rank; axis++) dims.push(header.getUint32(4 + 4 * axis, false));
  const valueCount = dims.reduce((product, dim) => product * dim, 1);
  const expectedLength = headerLength + valueCount;
  if (bytes.length !== expectedLength) {
    const problem = bytes.length < expectedLength ? 'the file is truncated (download it again)' : `${bytes.length - expectedLength} bytes follow the data`;
    throw new Error(
      `${what}: dimensions [${dims.join(', ')}] need ${expectedLength} bytes (${headerLength} header + ${valueCount} values), ` +
        `the file has ${bytes.length}: ${problem}.`,
    );
  }
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerLength, valueCount) };
}

/** The bytes of an IDX file of unsigned bytes with dimensions `dims` holding `data` (for tests and tools). */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const valueCount = dims.reduce((product, dim) => product * dim, 1);
  if (dims.length < 1 || dims.length > 255 || valueCount !== data.length) {
    throw new Error(`encodeIdx: dimensions [${dims.join(', ')}] do not fit ${data.length} values.`);
  }
  const headerLength = 4 + 4 * dims.length;
  const bytes = new Uint8Array(headerLength + data.length);
  const header = new DataView(bytes.buffer);
  header.setUint32(0, (UNSIGNED_BYTE << 8) | dims.length, false);
  dims.forEach((dim, axis) => header.setUint32(4 + 4 * axis, dim, false));
  bytes.set(data, headerLength);
  return bytes;
}
