import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../../src/checkpoint/safetensors.js';
import { defaultConfig } from '../../src/models/config.js';
import { createModel } from '../../src/models/create-model.js';
import { saveModelCheckpoint } from '../../src/training/model-checkpoint.js';
import { RUN_DEFAULTS } from '../../src/training/run-settings.js';
import { bundleCli, type CliProcess } from '../helpers/cli-process.js';
import { useEngine } from '../helpers/engine.js';

/**
 * Hostile checkpoints: each kind of damage or lie a file can hold, given to `sample` and `eval`, must end
 * in exit 2 and one line naming what is wrong, before any model is used; never a stack trace, never a
 * plausible result. The base file is an untrained MNIST-sized aae, so a lie the checks miss would run on.
 */

const gpu = useEngine();
let tool: CliProcess;
let root: string;
let good: Uint8Array;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'webgpu-aae-hostile-'));
  tool = await bundleCli(root);
  const model = createModel(gpu.engine, defaultConfig({ model: 'aae', hidden: [16], pixels: 784, latent: 2 }));
  const path = join(root, 'good.safetensors');
  await saveModelCheckpoint(path, model, { epoch: 1, steps: 6 }, RUN_DEFAULTS);
  model.dispose();
  good = new Uint8Array(await readFile(path));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await tool?.dispose();
});

/** The file's JSON header and its data section, to edit and put back together. */
function split(bytes: Uint8Array): { header: Record<string, any>; data: Uint8Array } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))), data: bytes.subarray(8 + length) };
}

function join8(headerText: string, data: Uint8Array, declaredLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, declaredLength ?? BigInt(json.length), true);
  bytes.set(json, 8);
  bytes.set(data, 8 + json.length);
  return bytes;
}

/** The good file with its header edited (the data section as it was). */
function withHeader(edit: (header: Record<string, any>) => void): Uint8Array {
  const { header, data } = split(good);
  edit(header);
  return join8(JSON.stringify(header), data);
}

function withMetadata(edit: (metadata: Record<string, string>) => void): Uint8Array {
  const { tensors, metadata } = decodeSafetensors(good);
  edit(metadata);
  return encodeSafetensors(tensors, metadata);
}

function withConfig(changes: Record<string, unknown>): Uint8Array {
  return withMetadata((metadata) => (metadata.config = JSON.stringify({ ...JSON.parse(metadata.config), ...changes })));
}

function withTensors(edit: (tensors: Record<string, { shape: number[]; data: Float32Array }>) => void): Uint8Array {
  const { tensors, metadata } = decodeSafetensors(good);
  edit(tensors);
  return encodeSafetensors(tensors, metadata);
}

const WEIGHT = 'model.decoder.1.weight';

/** [what the file is, its bytes, what the one line must say (after the file's path), the command (by default eval and sample in turn)]. */
const HOSTILE: [string, () => Uint8Array, string | RegExp, ('eval' | 'sample')?][] = [
  ['an empty file', () => new Uint8Array(0), 'truncated: 0 bytes, fewer than the 8 that hold the header'],
  ['a file cut inside the header length', () => good.subarray(0, 5), 'truncated: 5 bytes'],
  ['a file cut inside the header', () => good.subarray(0, 100), /truncated: the header claims \d+ bytes but only 92 follow/],
  ['a file cut inside the data', () => good.subarray(0, good.length - 4), /data section has only \d+ bytes \(truncated file\?\)/],
  ['trailing bytes after the data', () => Uint8Array.from([...good, 0, 0, 0, 0]), /but the tensors cover only \d+ \(trailing bytes\)/],
  ['a header length of 2^64 - 1', () => join8('{}', new Uint8Array(0), 2n ** 64n - 1n), 'more than the format\'s limit of 100000000'],
  ['a header that is not JSON', () => join8('{"a": [1, 2', new Uint8Array(0)), 'bad header JSON:'],
  ['a header that is a JSON array', () => join8('[1, 2, 3]', new Uint8Array(0)), 'expected an object of tensors, found an array'],
  ['a header that is not UTF-8', () => join8('{"ab": 1}', new Uint8Array(0)).map((byte, i) => (i === 10 ? 0xff : byte)), 'bad header JSON:'],
  ['metadata that is not an object of strings', () => withHeader((h) => (h.__metadata__.epoch = 3)), "'__metadata__' must map strings to strings, but 'epoch' is 3"],
  ['an F16 tensor', () => withHeader((h) => (h[WEIGHT].dtype = 'F16')), `tensor '${WEIGHT}' has dtype F16; only F32 is supported`],
  ['an unknown dtype', () => withHeader((h) => (h[WEIGHT].dtype = 'F33')), `tensor '${WEIGHT}' has unknown dtype "F33"`],
  ['a negative dimension', () => withHeader((h) => (h[WEIGHT].shape = [-16, -16])), `tensor '${WEIGHT}' has shape [-16,-16]; it must be a list of non-negative integers`],
  ['a shape that disagrees with its bytes', () => withHeader((h) => (h[WEIGHT].shape = [16, 17])), `tensor '${WEIGHT}' has shape [16, 17] (272 F32 values, 1088 bytes)`],
  ['a shape of 10^24 values', () => withHeader((h) => (h[WEIGHT].shape = [1e12, 1e12])), `tensor '${WEIGHT}' has shape [1000000000000, 1000000000000]`],
  ['reversed offsets', () => withHeader((h) => (h[WEIGHT].data_offsets = [...h[WEIGHT].data_offsets].reverse())), `tensor '${WEIGHT}' has data_offsets`],
  [
    'overlapping tensors',
    () =>
      withHeader((h) => {
        h['model.decoder.1.bias'] = { ...h[WEIGHT] };
      }),
    /tensors '[^']+' and '[^']+' overlap/,
  ],
  ['offsets past the end', () => withHeader((h) => (h[WEIGHT].data_offsets = [2 ** 40, 2 ** 40 + h[WEIGHT].shape[0] * h[WEIGHT].shape[1] * 4])), /data section has only \d+ bytes/],
  [
    "a tensor named '__proto__'",
    () => {
      const { header, data } = split(good);
      const text = JSON.stringify(header).replace(`"${WEIGHT}":`, '"__proto__":');
      return join8(text, data);
    },
    "a tensor is named '__proto__', which cannot be read here; rename it.",
  ],
  ['no format', () => withMetadata((m) => delete m.format), "is not a webgpu-aae checkpoint (format 'missing', expected"],
  ['no config', () => withMetadata((m) => delete m.config), "the checkpoint's metadata has no 'config'."],
  ['a config that is not JSON', () => withMetadata((m) => (m.config = '{latent: 2')), "the checkpoint's metadata 'config' is not valid JSON: \"{latent: 2\"."],
  ['a config that is a number', () => withMetadata((m) => (m.config = '42')), "the checkpoint's metadata 'config' must be a JSON object, not 42."],
  ['a config of an unknown model', () => withConfig({ model: 'vqvae' }), "its model config: unknown model 'vqvae'"],
  // The two: eval died with a RangeError, and evaluated a NaN without a word.
  ['latent 99999999', () => withConfig({ latent: 99_999_999 }), "the config's latent is 99999999, but no network tensor has a dimension above 784", 'eval'],
  ['a hidden width of 10^9', () => withConfig({ hidden: [1e9] }), "the config's hidden[0] is 1000000000, but no network tensor has a dimension above 784"],
  ['ten thousand hidden layers', () => withConfig({ hidden: Array(10_000).fill(16) }), 'the config lists 10000 hidden layers, but the checkpoint holds only'],
  ['fractional pixels', () => withConfig({ pixels: 783.5 }), 'its model config: pixels must be a positive whole number, got 783.5.'],
  ['a seed that is text', () => withConfig({ seed: 'one' }), 'its model config: seed must be a whole number from 0 to 2^53 - 1, got "one".'],
  ['a config of other sizes than its tensors', () => withConfig({ hidden: [8] }), /does not fit the aae it describes: .*'encoder\.trunk\.0\.weight' is \[784, 16\] in the checkpoint but \[784, 8\]/],
  ['a NaN inside a weight', () => withTensors((t) => (t[WEIGHT].data[5] = NaN)), `tensor '${WEIGHT}' holds NaN at value 5 of 12544; a checkpoint's values must all be finite`, 'eval'],
  ['an infinite optimizer moment', () => withTensors((t) => (t['optimizer.autoencoder.0.secondMoment'].data[0] = -Infinity)), "tensor 'optimizer.autoencoder.0.secondMoment' holds -Infinity at value 0"],
  ['a missing network tensor', () => withTensors((t) => delete t[WEIGHT]), /does not fit the aae it describes: .*missing decoder\.1\.weight/],
  ['a missing optimizer tensor', () => withTensors((t) => delete t['optimizer.generator.1.firstMoment']), "it has no 'optimizer.generator.1.firstMoment' (the generator optimizer's state)."],
  ['a tensor of no network or optimizer', () => withTensors((t) => (t['optimizer.critic.0.moment'] = { shape: [1], data: Float32Array.of(0) })), "tensors that belong to no network or optimizer of this model: 'optimizer.critic.0.moment'"],
  ['no random state', () => withMetadata((m) => delete m.random), "the checkpoint's metadata has no 'random'."],
  ['a random state with negative blocks', () => withMetadata((m) => (m.random = '{"seed": 1, "blocks": -4}')), `the checkpoint's metadata 'random' must be { "seed": S, "blocks": N } of whole numbers, but its blocks is -4.`],
  ['a random state of another seed', () => withMetadata((m) => (m.random = '{"seed": 7, "blocks": 0}')), /does not fit the aae it describes: Random\.restore: the state is for seed 7/],
  ['no optimizer steps', () => withMetadata((m) => delete m.optimizerSteps), "the checkpoint's metadata has no 'optimizerSteps'."],
  ['fractional optimizer steps', () => withMetadata((m) => (m.optimizerSteps = '{"autoencoder": 1.5, "discriminator": 1, "generator": 1}')), "'optimizerSteps' gives 'autoencoder' 1.5 steps, not a whole number."],
  ['optimizer steps missing an optimizer', () => withMetadata((m) => (m.optimizerSteps = '{"autoencoder": 1, "discriminator": 1}')), "its metadata 'optimizerSteps' has no step count for the generator optimizer."],
  ['a fractional epoch', () => withMetadata((m) => (m.epoch = '1.5')), "the checkpoint's metadata 'epoch' is \"1.5\", not a whole number >= 0."],
  ['a negative step count', () => withMetadata((m) => (m.steps = '-6')), "the checkpoint's metadata 'steps' is \"-6\", not a whole number >= 0."],
  ['a batch size of 0', () => withMetadata((m) => (m.batchSize = '0')), "the checkpoint's metadata 'batchSize' is \"0\", not a whole number >= 1."],
  ['a split with text for a count', () => withMetadata((m) => (m.split = '{"labels": "some", "validation": 10000}')), "the checkpoint's metadata 'split' has labels \"some\"; it must be 'all' or a whole number >= 1."],
];

describe('a hostile checkpoint exits 2 with one line saying what is wrong', () => {
  it(`covers at least 20 kinds (${HOSTILE.length})`, () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(20);
  });

  HOSTILE.forEach(([kind, bytes, message, chosen], index) => {
    // Half of them through eval, half through sample: both read checkpoints the same way.
    const command = chosen ?? (index % 2 === 0 ? 'eval' : 'sample');
    it(`${kind} (${command})`, async () => {
      const path = join(root, `hostile-${index}.safetensors`);
      await writeFile(path, bytes());
      const args = command === 'eval' ? ['eval', '--checkpoint', path, '--eval-size', '10'] : ['sample', '--checkpoint', path, '--n', '4', '--out', join(root, `hostile-${index}.png`)];
      const { stderr } = await tool.expectUsageError(args, message);
      expect(stderr).toContain(path);
    });
  });

  it('the untouched file is used (so each refusal above is the damage, not the base file)', async () => {
    const path = join(root, 'untouched.safetensors');
    await writeFile(path, good);
    const result = await tool.run('sample', '--checkpoint', path, '--n', '4', '--out', join(root, 'untouched.png'));
    expect(result.code, result.stderr).toBe(0);
  });
});
