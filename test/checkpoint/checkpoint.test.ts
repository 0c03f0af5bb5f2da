import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from '../../src/checkpoint/checkpoint.js';
import { loadIntoModule, loadModules, readModules, readStateDict } from '../../src/checkpoint/module-state.js';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, type TensorRecord } from '../../src/checkpoint/safetensors.js';
import { mlp } from '../../src/nn/mlp.js';
import { seededUniform } from '../../src/random/seeded.js';
import { useEngine } from '../helpers/engine.js';

const gpu = useEngine();
const scratch = mkdtempSync(join(tmpdir(), 'webgpu-aae-checkpoint-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function randomTensor(shape: number[], random: () => number): { shape: number[]; data: Float32Array } {
  const size = shape.reduce((product, dim) => product * dim, 1);
  return { shape, data: Float32Array.from({ length: size }, () => random() * 2 - 1) };
}

/** A file laid out by hand from a header object and data bytes, for the corruption cases. */
function handMade(header: unknown, data: Uint8Array = new Uint8Array(0), { declaredLength }: { declaredLength?: number } = {}): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(declaredLength ?? json.length), true);
  bytes.set(json, 8);
  bytes.set(data, 8 + json.length);
  return bytes;
}

function expectInvalid(bytes: Uint8Array, reason: RegExp): void {
  let caught: unknown;
  try {
    decodeSafetensors(bytes);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SafetensorsError);
  expect((caught as SafetensorsError).reason).toMatch(reason);
}

const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

describe('safetensors', () => {
  it('lays out a tiny file exactly as the format specifies', () => {
    const bytes = encodeSafetensors(
      { bias: { shape: [2], data: Float32Array.of(1, -2) }, w: { shape: [1, 1], data: Float32Array.of(0.5) } },
      { epoch: '3' },
    );
    // 142 bytes of JSON, padded with 2 spaces to 144 so the data starts at 8 + 144 = 152, a multiple of 8.
    const json = '{"__metadata__":{"epoch":"3"},"bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]}}';
    expect(json.length).toBe(142);
    const expected = [
      ...[144, 0, 0, 0, 0, 0, 0, 0], // header length, u64 little-endian
      ...new TextEncoder().encode(`${json}  `),
      ...[0x00, 0x00, 0x80, 0x3f], // 1.0f little-endian
      ...[0x00, 0x00, 0x00, 0xc0], // -2.0f
      ...[0x00, 0x00, 0x00, 0x3f], // 0.5f
    ];
    expect(Array.from(bytes)).toEqual(expected);
    // And without metadata there is no __metadata__ key at all.
    const bare = encodeSafetensors({ x: { shape: [], data: Float32Array.of(7) } });
    expect(new TextDecoder().decode(bare.subarray(8, 8 + Number(new DataView(bare.buffer).getBigUint64(0, true)))).trimEnd()).toBe(
      '{"x":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}',
    );
  });

  it('round-trips many tensors of many shapes, in order, with their metadata', () => {
    const random = seededUniform(11);
    const tensors: TensorRecord = {};
    for (let i = 0; i < 60; i++) {
      const rank = i % 4;
      const shape = Array.from({ length: rank }, () => 1 + Math.floor(random() * 7));
      tensors[`net.layers.${i}.${i % 2 ? 'weight' : 'bias'}`] = randomTensor(shape, random);
    }
    tensors['empty'] = { shape: [0, 3], data: new Float32Array(0) };
    tensors['scalar'] = { shape: [], data: Float32Array.of(Math.PI) };
    tensors['special'] = { shape: [4], data: Float32Array.of(NaN, Infinity, -0, 3.4e38) };
    const metadata = { kind: 'aae', epoch: '12', options: JSON.stringify({ prior: 'mixture', seed: 5 }), 'ünïcode ✓': 'välue' };
    const decoded = decodeSafetensors(encodeSafetensors(tensors, metadata));
    expect(decoded.metadata).toEqual(metadata);
    expect(Object.keys(decoded.tensors)).toEqual(Object.keys(tensors));
    for (const [name, tensor] of Object.entries(tensors)) {
      expect(decoded.tensors[name].shape, name).toEqual(tensor.shape);
      expect(Buffer.from(decoded.tensors[name].data.buffer).equals(Buffer.from(tensor.data.buffer)), name).toBe(true);
    }
    expect(Object.is(decoded.tensors['special'].data[2], -0)).toBe(true);
  });

  it('reads data at any byte offset of the input (e.g. a slice of a larger buffer)', () => {
    const bytes = encodeSafetensors({ a: { shape: [3], data: Float32Array.of(1, 2, 3) } });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(Array.from(decodeSafetensors(shifted.subarray(3)).tensors['a'].data)).toEqual([1, 2, 3]);
    // Node Buffers: slice() shares memory there, and small ones live inside a larger pool.
    const buffer = Buffer.concat([Buffer.from('pad'), Buffer.from(bytes)]).subarray(3);
    expect(Array.from(decodeSafetensors(buffer).tensors['a'].data)).toEqual([1, 2, 3]);
  });

  it('refuses to write what it could not read back', () => {
    expect(() => encodeSafetensors({ a: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(/'a' has shape \[2, 2\] \(4 values\) but 3 values of data/);
    expect(() => encodeSafetensors({ a: { shape: [-1], data: new Float32Array(0) } })).toThrow(/non-negative integers/);
    expect(() => encodeSafetensors({ __metadata__: { shape: [1], data: new Float32Array(1) } })).toThrow(/reserved/);
    expect(() => encodeSafetensors({}, { epoch: 3 as unknown as string })).toThrow(/metadata 'epoch' is a number; metadata values must be strings/);
    expect(() => encodeSafetensors({ a: { shape: [1], data: [1] as unknown as Float32Array } })).toThrow(/no Float32Array data/);
  });

  it('gives a clear reason for every kind of corruption', () => {
    const good = encodeSafetensors({ a: { shape: [2], data: Float32Array.of(1, 2) }, b: { shape: [1], data: Float32Array.of(3) } });
    const data12 = new Uint8Array(12);

    expectInvalid(good.subarray(0, 5), /truncated: 5 bytes, fewer than the 8/);
    expectInvalid(good.subarray(0, 40), /truncated: the header claims \d+ bytes but only 32 follow/);
    expectInvalid(handMade('{}', new Uint8Array(0), { declaredLength: 2 ** 40 }), /more than the format's limit/);
    expectInvalid(handMade('{"a": {"dtype": "F32",'), /bad header JSON/);
    expectInvalid(handMade('[1, 2]'), /bad header JSON: expected an object of tensors, found an array/);
    const invalidUtf8 = handMade('{}');
    invalidUtf8[9] = 0xff;
    expectInvalid(invalidUtf8, /bad header JSON/);
    expectInvalid(handMade({ __metadata__: { epoch: 3 } }), /'__metadata__' must map strings to strings, but 'epoch' is 3/);
    expectInvalid(handMade({ a: 5 }), /tensor 'a' must be an object with dtype, shape and data_offsets/);
    // JSON.parse keeps '__proto__' as a key; a plain object of tensors would swallow it.
    expectInvalid(handMade(`{"a": ${JSON.stringify(f32([1], 0, 4))}, "__proto__": ${JSON.stringify(f32([1], 4, 8))}}`, new Uint8Array(8)), /a tensor is named '__proto__', which cannot be read here; rename it/);
    expectInvalid(handMade('{"__metadata__": {"__proto__": "x"}}'), /'__metadata__' has a key '__proto__', which cannot be read here/);
    expectInvalid(handMade({ a: { ...f32([3], 0, 12), dtype: 'F16' } }, data12), /tensor 'a' has dtype F16; only F32 is supported/);
    expectInvalid(handMade({ a: { ...f32([3], 0, 12), dtype: 'float32' } }, data12), /tensor 'a' has unknown dtype "float32"/);
    expectInvalid(handMade({ a: { ...f32([3], 0, 12), shape: [3.5] } }, data12), /shape \[3\.5\]; it must be a list of non-negative integers/);
    expectInvalid(handMade({ a: f32([3], 12, 0) }, data12), /data_offsets \[12,0\]; it must be \[begin, end\] with 0 <= begin <= end/);
    expectInvalid(handMade({ a: f32([2, 2], 0, 12) }, data12), /tensor 'a' has shape \[2, 2\] \(4 F32 values, 16 bytes\) but data_offsets \[0, 12\] span 12 bytes/);
    expectInvalid(handMade({ a: f32([3], 0, 12) }, new Uint8Array(8)), /data_offsets \[0, 12\] but the data section has only 8 bytes \(truncated file\?\)/);
    expectInvalid(good.subarray(0, good.length - 4), /'b' has data_offsets \[8, 12\] but the data section has only 8 bytes/);
    expectInvalid(handMade({ a: f32([2], 0, 8), b: f32([2], 4, 12) }, data12), /tensors 'a' and 'b' overlap: 'b' starts at byte 4, before 'a' ends at 8/);
    expectInvalid(handMade({ a: f32([1], 0, 4), b: f32([1], 8, 12) }, data12), /bytes 4\.\.8 of the data belong to no tensor \(a hole before 'b'\)/);
    expectInvalid(handMade({ a: f32([2], 0, 8) }, data12), /the data section has 12 bytes but the tensors cover only 8 \(trailing bytes\)/);
    // Tensors listed out of file order are fine, as the format allows.
    const reordered = decodeSafetensors(handMade({ b: f32([1], 8, 12), a: f32([2], 0, 8) }, new Uint8Array(new Float32Array([1, 2, 3]).buffer)));
    expect(Array.from(reordered.tensors['b'].data)).toEqual([3]);
    expect(Array.from(reordered.tensors['a'].data)).toEqual([1, 2]);
  });
});

describe('checkpoint files', () => {
  const sample = { tensors: { w: { shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) } }, metadata: { epoch: '1' } };

  it('saves and loads, leaving no temporary file behind', async () => {
    const directory = mkdtempSync(join(scratch, 'save-'));
    const path = join(directory, 'model.safetensors');
    await saveCheckpoint(path, sample);
    await saveCheckpoint(path, { ...sample, metadata: { epoch: '2' } }); // overwrite in place
    expect(readdirSync(directory)).toEqual(['model.safetensors']);
    const loaded = await loadCheckpoint(path);
    expect(loaded.metadata).toEqual({ epoch: '2' });
    expect(loaded.tensors['w'].shape).toEqual([2, 3]);
    expect(Array.from(loaded.tensors['w'].data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('says clearly when there is no checkpoint or it is not one', async () => {
    const missing = join(scratch, 'nowhere', 'model.safetensors');
    await expect(loadCheckpoint(missing)).rejects.toThrow(`no checkpoint at ${missing}`);
    await expect(loadCheckpoint(scratch)).rejects.toThrow(/no checkpoint at .*: it is a directory/);
    const corrupt = join(scratch, 'corrupt.safetensors');
    const bytes = encodeSafetensors(sample.tensors);
    writeFileSync(corrupt, bytes.subarray(0, bytes.length - 1));
    await expect(loadCheckpoint(corrupt)).rejects.toThrow(`${corrupt} is not a valid safetensors file: tensor 'w' has data_offsets [0, 24] but the data section has only 23 bytes`);
    writeFileSync(corrupt, 'hello');
    await expect(loadCheckpoint(corrupt)).rejects.toThrow(`${corrupt} is not a valid safetensors file: truncated: 5 bytes`);
  });

  it('never leaves a half-written target or a temporary file when saving fails', async () => {
    // The rename fails: the target is a directory. The directory survives and no temporary file remains.
    const directory = mkdtempSync(join(scratch, 'fail-rename-'));
    const target = join(directory, 'model.safetensors');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    await expect(saveCheckpoint(target, sample)).rejects.toThrow(/saveCheckpoint: could not write .*model\.safetensors: .*(EISDIR|directory)/);
    expect(readdirSync(directory)).toEqual(['model.safetensors']);
    expect(readdirSync(target)).toEqual(['keep']);

    // Writing the temporary file fails (its name is taken by a directory): the old checkpoint is untouched.
    const other = mkdtempSync(join(scratch, 'fail-write-'));
    const path = join(other, 'model.safetensors');
    await saveCheckpoint(path, sample);
    const before = readFileSync(path);
    mkdirSync(`${path}.tmp-${process.pid}`);
    await expect(saveCheckpoint(path, { tensors: { v: { shape: [1], data: Float32Array.of(9) } } })).rejects.toThrow(/could not write/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}.tmp-${process.pid}`)).toBe(true); // not ours to delete

    // Bad tensors fail before anything touches the disk.
    const fresh = join(other, 'fresh.safetensors');
    await expect(saveCheckpoint(fresh, { tensors: { a: { shape: [2], data: new Float32Array(3) } } })).rejects.toThrow(/has shape \[2\]/);
    expect(existsSync(fresh)).toBe(false);
  });
});

describe('module state', () => {
  it('saves several networks under prefixes and loads them into fresh ones', async () => {
    const { engine } = gpu;
    const encoder = mlp(engine, [6, 8, 2], { seed: 1 });
    const decoder = mlp(engine, [2, 8, 6], { seed: 2 });
    const path = join(scratch, 'aae.safetensors');
    const tensors = await readModules({ encoder, decoder });
    expect(Object.keys(tensors)).toEqual([
      ...encoder.namedParameters().map(([name]) => `encoder.${name}`),
      ...decoder.namedParameters().map(([name]) => `decoder.${name}`),
    ]);
    await saveCheckpoint(path, { tensors, metadata: { model: 'aae' } });

    const encoder2 = mlp(engine, [6, 8, 2], { seed: 3 });
    const decoder2 = mlp(engine, [2, 8, 6], { seed: 4 });
    loadModules({ encoder: encoder2, decoder: decoder2 }, (await loadCheckpoint(path)).tensors);
    for (const [original, loaded] of [[encoder, encoder2], [decoder, decoder2]]) {
      const a = await readStateDict(original);
      const b = await readStateDict(loaded);
      for (const name of Object.keys(a)) expect(Array.from(b[name].data), name).toEqual(Array.from(a[name].data));
    }

    // One network alone, without prefixes.
    const single = mlp(engine, [6, 8, 2], { seed: 5 });
    loadIntoModule(single, await readStateDict(encoder));
    expect(Array.from((await readStateDict(single))['0.weight'].data)).toEqual(Array.from(tensors['encoder.0.weight'].data));
    for (const module of [encoder, decoder, encoder2, decoder2, single]) module.dispose();
  });

  it('refuses a checkpoint of another architecture and changes nothing', async () => {
    const { engine } = gpu;
    const encoder = mlp(engine, [6, 8, 2], { seed: 1 });
    const decoder = mlp(engine, [2, 8, 6], { seed: 2 });
    const otherEncoder = mlp(engine, [6, 8, 2], { seed: 7 });
    const widerDecoder = mlp(engine, [2, 9, 6], { seed: 8 });
    const saved = await readModules({ encoder: otherEncoder, decoder: widerDecoder });
    const before = await readModules({ encoder, decoder });
    expect(() => loadModules({ encoder, decoder }, saved)).toThrow(
      /does not match this Mlp \('decoder'\): 'decoder\.0\.weight' is \[2, 9\] in the checkpoint but \[2, 8\] in this Mlp/,
    );
    const after = await readModules({ encoder, decoder });
    for (const name of Object.keys(before)) expect(Array.from(after[name].data), name).toEqual(Array.from(before[name].data)); // encoder untouched too
    expect(() => loadModules({ encoder }, before)).toThrow(/tensors for no network here: decoder\.0\.weight/);
    const { '1.bias': _dropped, ...partial } = await readStateDict(encoder);
    expect(() => loadIntoModule(encoder, partial)).toThrow(/missing 1\.bias/);
    for (const module of [encoder, decoder, otherEncoder, widerDecoder]) module.dispose();
  });
});
