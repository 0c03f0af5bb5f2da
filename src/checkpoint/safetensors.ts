/**
 * The safetensors format (Hugging Face), float32 tensors only:
 *
 *   [8 bytes]  N, the header's length, unsigned 64-bit little-endian
 *   [N bytes]  UTF-8 JSON: { "__metadata__": { string: string }, name: { "dtype": "F32", "shape": [...],
 *              "data_offsets": [begin, end] }, ... }, padded with spaces so that N is a multiple of 8
 *   [rest]     the tensors' bytes, little-endian; offsets count from the start of this section, and the
 *              tensors cover it exactly, without holes or overlaps
 *
 * Browser-safe (no Node modules); `checkpoint.ts` adds files.
 */

export interface StoredTensor {
  shape: number[];
  data: Float32Array;
}

/** Tensors by name, e.g. a module's parameters with dotted names. */
export type TensorRecord = Record<string, StoredTensor>;

export interface SafetensorsContents {
  tensors: TensorRecord;
  /** Free-form strings saved beside the tensors (model kind, epoch, seed, options as JSON...). */
  metadata: Record<string, string>;
}

/** What was wrong with the bytes; `reason` alone is meant to follow "<file> is not a valid safetensors file: ". */
export class SafetensorsError extends Error {
  constructor(readonly reason: string) {
    super(`not a valid safetensors file: ${reason}`);
    this.name = 'SafetensorsError';
  }
}

const METADATA_KEY = '__metadata__';
/** The reference implementation refuses headers above 100 MB; so do we, before allocating anything. */
const MAX_HEADER_BYTES = 100_000_000;
/** Every dtype the format defines, so an unsupported one is told apart from a misspelt one. */
const KNOWN_DTYPES = new Set(['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64']);
const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

export function encodeSafetensors(
  tensors: Record<string, { shape: readonly number[]; data: Float32Array }>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const entries: string[] = [];
  const metadataEntries = Object.entries(metadata);
  for (const [key, value] of metadataEntries) {
    if (typeof value !== 'string') {
      throw new Error(`encodeSafetensors: metadata '${key}' is a ${typeof value}; metadata values must be strings (JSON.stringify structured values).`);
    }
  }
  if (metadataEntries.length > 0) entries.push(`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(Object.fromEntries(metadataEntries))}`);

  let offset = 0;
  const layout: { data: Float32Array; begin: number }[] = [];
  for (const [name, tensor] of Object.entries(tensors)) {
    if (name === METADATA_KEY) throw new Error(`encodeSafetensors: '${METADATA_KEY}' is reserved for the metadata; rename the tensor.`);
    if (!(tensor?.data instanceof Float32Array)) {
      throw new Error(`encodeSafetensors: tensor '${name}' has no Float32Array data; only F32 tensors are written.`);
    }
    const shape = [...tensor.shape];
    if (!shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
      throw new Error(`encodeSafetensors: tensor '${name}' has shape [${shape.join(', ')}]; dimensions must be non-negative integers.`);
    }
    const size = shape.reduce((product, dim) => product * dim, 1);
    if (size !== tensor.data.length) {
      throw new Error(`encodeSafetensors: tensor '${name}' has shape [${shape.join(', ')}] (${size} values) but ${tensor.data.length} values of data.`);
    }
    const end = offset + tensor.data.byteLength;
    entries.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype: 'F32', shape, data_offsets: [offset, end] })}`);
    layout.push({ data: tensor.data, begin: offset });
    offset = end;
  }

  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  // Spaces up to a multiple of 8, so the data section starts 8-byte aligned.
  const headerLength = Math.ceil(json.length / 8) * 8;
  const bytes = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, 8 + headerLength);
  const dataStart = 8 + headerLength;
  for (const { data, begin } of layout) {
    if (LITTLE_ENDIAN_HOST) {
      bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), dataStart + begin);
    } else {
      for (let i = 0; i < data.length; i++) view.setFloat32(dataStart + begin + 4 * i, data[i], true);
    }
  }
  return bytes;
}

/**
 * Reads safetensors bytes, checking everything before trusting it: the header's length and JSON, every
 * entry's dtype, shape and offsets, and that the tensors tile the data section exactly.
 * Throws a SafetensorsError saying what is wrong. Returns copies (the input may be reused).
 */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsContents {
  const fail = (reason: string): never => {
    throw new SafetensorsError(reason);
  };
  if (bytes.length < 8) fail(`truncated: ${bytes.length} bytes, fewer than the 8 that hold the header's length.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) fail(`the header claims ${declared} bytes, more than the format's limit of ${MAX_HEADER_BYTES} (not a safetensors file?).`);
  const headerLength = Number(declared);
  if (8 + headerLength > bytes.length) fail(`truncated: the header claims ${headerLength} bytes but only ${bytes.length - 8} follow the length.`);

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    fail(`bad header JSON: ${(error as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    return fail(`bad header JSON: expected an object of tensors, found ${Array.isArray(header) ? 'an array' : JSON.stringify(header)}.`);
  }

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    // A plain object would take this name as its prototype and drop the entry without a word.
    if (name === '__proto__') fail(`a tensor is named '__proto__', which cannot be read here; rename it.`);
    if (name === METADATA_KEY) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`'${METADATA_KEY}' must be an object of strings, not ${JSON.stringify(value)}.`);
      for (const [key, text] of Object.entries(value as Record<string, unknown>)) {
        if (typeof text !== 'string') fail(`'${METADATA_KEY}' must map strings to strings, but '${key}' is ${JSON.stringify(text)}.`);
        if (key === '__proto__') fail(`'${METADATA_KEY}' has a key '__proto__', which cannot be read here; rename it.`);
        metadata[key] = text as string;
      }
      continue;
    }
    entries.push({ name, ...checkEntry(name, value, dataLength, fail) });
  }

  // The tensors must tile the data section: sorted by position, each starts where the previous ended.
  const ordered = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: string | null = null;
  for (const { name, begin, end } of ordered) {
    if (begin < covered) fail(`tensors '${previous}' and '${name}' overlap: '${name}' starts at byte ${begin}, before '${previous}' ends at ${covered}.`);
    if (begin > covered) fail(`bytes ${covered}..${begin} of the data belong to no tensor (a hole before '${name}').`);
    covered = end;
    previous = name;
  }
  if (covered !== dataLength) fail(`the data section has ${dataLength} bytes but the tensors cover only ${covered} (trailing bytes).`);

  const tensors: TensorRecord = {};
  for (const { name, shape, begin, end } of entries) {
    const start = dataStart + begin;
    let data: Float32Array;
    if (LITTLE_ENDIAN_HOST) {
      // A copy through the Uint8Array constructor: a Node Buffer's slice() would be a view, not a copy.
      data = new Float32Array(new Uint8Array(bytes.subarray(start, dataStart + end)).buffer);
    } else {
      data = new Float32Array((end - begin) / 4);
      for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(start + 4 * i, true);
    }
    tensors[name] = { shape, data };
  }
  return { tensors, metadata };
}

function checkEntry(
  name: string,
  value: unknown,
  dataLength: number,
  fail: (reason: string) => never,
): { shape: number[]; begin: number; end: number } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`tensor '${name}' must be an object with dtype, shape and data_offsets, not ${JSON.stringify(value)}.`);
  }
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string') fail(`tensor '${name}' has no dtype string.`);
  if (!KNOWN_DTYPES.has(dtype as string)) fail(`tensor '${name}' has unknown dtype ${JSON.stringify(dtype)}.`);
  if (dtype !== 'F32') fail(`tensor '${name}' has dtype ${dtype}; only F32 is supported (convert the file to float32).`);
  if (!Array.isArray(shape) || !shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
    fail(`tensor '${name}' has shape ${JSON.stringify(shape)}; it must be a list of non-negative integers.`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((offset) => Number.isSafeInteger(offset) && offset >= 0) ||
    offsets[0] > offsets[1]
  ) {
    fail(`tensor '${name}' has data_offsets ${JSON.stringify(offsets)}; it must be [begin, end] with 0 <= begin <= end.`);
  }
  const [begin, end] = offsets as [number, number];
  const dims = shape as number[];
  const size = dims.reduce((product, dim) => product * dim, 1);
  if (!Number.isSafeInteger(size * 4) || size * 4 !== end - begin) {
    fail(`tensor '${name}' has shape [${dims.join(', ')}] (${size} F32 values, ${size * 4} bytes) but data_offsets [${begin}, ${end}] span ${end - begin} bytes.`);
  }
  if (end > dataLength) fail(`tensor '${name}' has data_offsets [${begin}, ${end}] but the data section has only ${dataLength} bytes (truncated file?).`);
  return { shape: [...dims], begin, end };
}
