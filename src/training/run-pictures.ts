import type { GpuImageSet } from '../data/gpu-images.js';
import { gatherImages } from '../data/gpu-images.js';
import { imageGrid, sideBySide, styleContentGrid } from '../image/grid.js';
import { latentScatter, project2d } from '../image/scatter.js';
import { writePng } from '../image/write-png.js';
import type { GenerativeModel } from '../models/model.js';
import type { Prior } from '../models/priors.js';
import { isCategorical } from '../models/config.js';

/** Side of one image (MNIST is 28 × 28); pictures of other data sets use their own square side. */
function side(pixels: number): number {
  return Math.round(Math.sqrt(pixels));
}

/**
 * Decodes `count` prior samples to a grid. Models whose decoder takes a category beside the code (the
 * supervised AAE's digit, the semi-supervised and clustering AAEs' y) get a style grid instead: each row
 * keeps one style code, each column asks for one category.
 */
export async function renderSamples(model: GenerativeModel, prior: Prior, path: string, count = 100): Promise<void> {
  const engine = model.engine;
  const { latent, pixels } = model.config;
  const size = side(pixels);
  const categories = model.config.model === 'supervised-aae' ? model.config.classes : isCategorical(model.config.model) ? model.config.clusters : 0;
  if (categories > 0) {
    const classes = categories;
    const styles = Math.max(1, Math.round(count / classes));
    const one = prior.sample(styles).codes;
    const codes = new Float32Array(styles * classes * latent);
    const labels = new Uint32Array(styles * classes);
    for (let row = 0; row < styles; row++) {
      for (let digit = 0; digit < classes; digit++) {
        codes.set(one.subarray(row * latent, (row + 1) * latent), (row * classes + digit) * latent);
        labels[row * classes + digit] = digit;
      }
    }
    const images = engine.scope(() => engine.noGrad(() => model.decode(engine.tensor(codes, [styles * classes, latent]), engine.tensor(labels, [labels.length]))));
    const values = (await images.read()) as Float32Array;
    images.dispose();
    const headings = Array.from({ length: classes }, (_, k) => String(k));
    await writePng(path, styleContentGrid(values, { height: size, width: size, scale: 2, labels: headings }));
    return;
  }
  const { codes } = prior.sample(count);
  const images = engine.scope(() => engine.noGrad(() => model.decode(engine.tensor(codes, [count, latent]))));
  const values = (await images.read()) as Float32Array;
  images.dispose();
  await writePng(path, imageGrid(values, { columns: Math.ceil(Math.sqrt(count)), height: size, width: size, scale: 2 }));
}

/** The first `count` images of a set (all, when it holds fewer) beside their reconstructions. */
export async function renderReconstructions(model: GenerativeModel, images: GpuImageSet, labels: Uint8Array, path: string, wanted = 50): Promise<void> {
  const engine = model.engine;
  const count = Math.min(wanted, images.count);
  const [inputs, outputs] = engine.scope(() =>
    engine.noGrad(() => {
      const batch = gatherImages(images, engine.tensor(Uint32Array.from({ length: count }, (_, i) => i), [count]));
      return [batch, model.reconstruct(batch, engine.tensor(Uint32Array.from(labels.subarray(0, count)), [count]))];
    }),
  );
  const size = side(model.config.pixels);
  const picture = sideBySide((await inputs.read()) as Float32Array, (await outputs.read()) as Float32Array, { columns: 5, height: size, width: size, scale: 2 });
  inputs.dispose();
  outputs.dispose();
  await writePng(path, picture);
}

/** Test-set codes coloured by digit: the codes themselves when 2-D, their first two principal components otherwise. */
export async function renderLatentMap(codes: Float32Array, dims: number, labels: ArrayLike<number>, path: string, title: string): Promise<void> {
  const points = dims === 2 ? codes : project2d(codes, dims);
  await writePng(path, latentScatter(points, labels, { title: dims === 2 ? title : `${title} (PCA of ${dims}-D codes)` }));
}
