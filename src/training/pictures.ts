import type { GpuImageSet } from '../data/gpu-images.js';
import { gatherImages } from '../data/gpu-images.js';
import { imageGrid, sideBySide, styleContentGrid } from '../image/grid.js';
import type { Raster } from '../image/raster.js';
import { project2d } from '../image/principal-components.js';
import { latentScatter } from '../image/scatter.js';
import type { ScatterOptions } from '../image/scatter-layout.js';
import type { GenerativeModel } from '../models/model.js';
import type { Prior } from '../models/priors.js';
import { decoderCategories, styleGrid } from '../evaluation/style-content.js';

/**
 * The pictures of a model, as rasters: the CLI writes them to PNG files after each epoch, the browser
 * page puts them on canvases while it trains. Each reads its images back from the GPU once.
 */

/** Side of one image (MNIST is 28 × 28); pictures of other data sets use their own square side. */
function side(pixels: number): number {
  return Math.round(Math.sqrt(pixels));
}

/**
 * `count` prior samples decoded to a grid. Models whose decoder takes a category beside the code (the
 * supervised AAE's digit, the semi-supervised and clustering AAEs' y) get a style grid instead: each row
 * keeps one style code, each column asks for one category.
 */
export async function samplesPicture(model: GenerativeModel, prior: Prior, count = 100): Promise<Raster> {
  const engine = model.engine;
  const { latent, pixels } = model.config;
  const size = side(pixels);
  const categories = decoderCategories(model);
  if (categories > 0) {
    const styles = Math.max(1, Math.round(count / categories));
    const { codes, labels } = styleGrid(prior, styles, categories);
    const images = engine.scope(() => engine.noGrad(() => model.decode(engine.tensor(codes, [styles * categories, latent]), engine.tensor(labels, [labels.length]))));
    const values = (await images.read()) as Float32Array;
    images.dispose();
    const headings = Array.from({ length: categories }, (_, k) => String(k));
    return styleContentGrid(values, { height: size, width: size, scale: 2, labels: headings });
  }
  const { codes } = prior.sample(count);
  const images = engine.scope(() => engine.noGrad(() => model.decode(engine.tensor(codes, [count, latent]))));
  const values = (await images.read()) as Float32Array;
  images.dispose();
  return imageGrid(values, { columns: Math.ceil(Math.sqrt(count)), height: size, width: size, scale: 2 });
}

/** The first `wanted` images of a set (all, when it holds fewer) beside their reconstructions. */
export async function reconstructionsPicture(model: GenerativeModel, images: GpuImageSet, labels: Uint8Array, wanted = 50): Promise<Raster> {
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
  return picture;
}

/** Codes coloured by digit: the codes themselves when 2-D, their first two principal components otherwise. */
export function latentPicture(codes: Float32Array, dims: number, labels: ArrayLike<number>, title: string, options: ScatterOptions = {}): Raster {
  const points = dims === 2 ? codes : project2d(codes, dims);
  return latentScatter(points, labels, { ...options, title: dims === 2 ? title : `${title} (PCA of ${dims}-D codes)` });
}
