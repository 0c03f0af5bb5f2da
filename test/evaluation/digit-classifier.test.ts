import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadImages, type GpuImageSet } from '../../src/data/gpu-images.js';
import { loadMnist, type Mnist } from '../../src/data/mnist.js';
import { accuracyOf, digitClassifierFor, trainDigitClassifier } from '../../src/evaluation/digit-classifier.js';
import { useEngine } from '../helpers/engine.js';

const gpu = useEngine();
const TRAIN = 3000;
const TEST = 1000;
let mnist: Mnist;
let train: GpuImageSet;
let test: GpuImageSet;

beforeAll(async () => {
  mnist = await loadMnist();
  train = uploadImages(gpu.engine, mnist.train.images.subarray(0, TRAIN * 784), TRAIN, 784);
  test = uploadImages(gpu.engine, mnist.test.images.subarray(0, TEST * 784), TEST, 784);
});
afterAll(() => {
  train?.tensor.dispose();
  test?.tensor.dispose();
});

const firstRows = (count: number) => Uint32Array.from({ length: count }, (_, i) => i);

describe('the digit classifier', () => {
  it('learns MNIST digits from a few thousand training images, far above chance on test images, the same for the same seed', async () => {
    const options = { hidden: 64, epochs: 2, seed: 3 };
    const classifier = await trainDigitClassifier(gpu.engine, train, mnist.train.labels, firstRows(TRAIN), options);
    const predicted = await classifier.predictRows(test, firstRows(TEST));
    expect(classifier.classes).toBe(10);
    expect(accuracyOf(predicted, mnist.test.labels.subarray(0, TEST))).toBeGreaterThan(0.8);

    // The same images from the CPU give the same digits.
    const pixels = Float32Array.from(mnist.test.images.subarray(0, 100 * 784), (value) => value / 255);
    expect(Array.from(await classifier.predict(pixels, 100))).toEqual(Array.from(predicted.subarray(0, 100)));

    const again = await trainDigitClassifier(gpu.engine, train, mnist.train.labels, firstRows(TRAIN), options);
    expect(Array.from(await again.predictRows(test, firstRows(TEST)))).toEqual(Array.from(predicted));
    classifier.dispose();
    again.dispose();
  });

  it('is trained once per engine, training rows and options, and kept for the process', async () => {
    const rows = firstRows(500);
    const options = { hidden: 16, epochs: 1 };
    const first = digitClassifierFor(gpu.engine, train, mnist.train.labels, rows, options);
    expect(digitClassifierFor(gpu.engine, train, mnist.train.labels, Uint32Array.from(rows), options)).toBe(first);
    expect(digitClassifierFor(gpu.engine, train, mnist.train.labels, firstRows(400), options)).not.toBe(first);
    await Promise.all([first, digitClassifierFor(gpu.engine, train, mnist.train.labels, firstRows(400), options)]);
  });

  it('refuses rows outside the images and a single class, saying what to give', async () => {
    await expect(trainDigitClassifier(gpu.engine, train, mnist.train.labels, Uint32Array.of(TRAIN))).rejects.toThrow(
      `trainDigitClassifier: row ${TRAIN} is outside the ${TRAIN} images.`,
    );
    const zeros = Uint32Array.from(firstRows(TRAIN).filter((row) => mnist.train.labels[row] === 0));
    const onlyZeros = new Uint8Array(mnist.train.labels.length);
    await expect(trainDigitClassifier(gpu.engine, train, onlyZeros, zeros)).rejects.toThrow('fewer than 2 classes');
  });
});
