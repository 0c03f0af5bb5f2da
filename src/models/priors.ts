import { seededUniform } from '../random/seeded.js';
import { isCategorical } from './architecture.js';
import type { ModelConfig } from './config.js';

/**
 * Priors for the adversarial regularization. A prior is anything we can sample from: no density is
 * needed, because a discriminator compares samples. Samples are drawn on the CPU from a seeded
 * generator (a minibatch of 2-D codes is a few hundred numbers) and written into the captured step's
 * input tensor before each run.
 */
export type PriorName = 'gaussian' | 'mog10' | 'swissroll';

export interface PriorSample {
  /** Row-major [count, dims]. */
  codes: Float32Array;
  /** The mixture component or swiss-roll segment each code came from (0 for the Gaussian). */
  components: Uint8Array;
}

export interface Prior {
  readonly name: PriorName;
  readonly dims: number;
  /** Components that class-conditional sampling can choose from (10 for mog10 and swissroll). */
  readonly components: number;
  /**
   * Draws `count` codes. With `components` given (class-conditional), code i comes from component
   * `components[i]`; otherwise components are chosen uniformly.
   */
  sample(count: number, components?: ArrayLike<number>): PriorSample;
}

export interface PriorOptions {
  /** Standard deviation of the Gaussian prior (the paper used 5 on MNIST). Default 1. */
  scale?: number;
  /**
   * Gaussian prior only: also draw a category uniformly from this many per sample (the Categorical prior
   * of y for the semi-supervised and clustering AAEs), returned as `components`. Default 1.
   */
  categories?: number;
  seed?: number;
}

export function createPrior(name: PriorName, dims: number, options: PriorOptions = {}): Prior {
  const random = seededUniform(options.seed ?? 0);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const pickComponents = (count: number, components: number, given?: ArrayLike<number>) => {
    const chosen = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const value = given ? given[i] : Math.floor(random() * components);
      if (!(value >= 0 && value < components)) throw new Error(`prior '${name}': component ${value} is outside 0..${components - 1}.`);
      chosen[i] = value;
    }
    return chosen;
  };

  /** A 2-D prior of ten components; `draw` makes one code of a given component. */
  const twoDimensionalMixture = (priorName: PriorName, draw: (component: number) => [number, number]): Prior => ({
    name: priorName,
    dims: 2,
    components: 10,
    sample(count, given) {
      const components = pickComponents(count, 10, given);
      const codes = new Float32Array(count * 2);
      for (let i = 0; i < count; i++) codes.set(draw(components[i]), 2 * i);
      return { codes, components };
    },
  });

  switch (name) {
    case 'gaussian': {
      const scale = options.scale ?? 1;
      const categories = options.categories ?? 1;
      return {
        name,
        dims,
        components: categories,
        sample(count) {
          const codes = new Float32Array(count * dims);
          for (let i = 0; i < codes.length; i++) codes[i] = scale * normal();
          // Drawn only when asked for, so that the plain Gaussian prior's stream is what it always was.
          return { codes, components: categories > 1 ? pickComponents(count, categories) : new Uint8Array(count) };
        },
      };
    }
    case 'mog10':
      requireTwoDims(name, dims);
      // Ten elongated Gaussians evenly on a circle, long axis along the radius, as in the paper's figures.
      return twoDimensionalMixture(name, (component) => {
        const angle = (2 * Math.PI * component) / 10;
        const along = 4 + 0.5 * normal();
        const across = 0.1 * along * normal();
        return [along * Math.cos(angle) - across * Math.sin(angle), along * Math.sin(angle) + across * Math.cos(angle)];
      });
    case 'swissroll':
      requireTwoDims(name, dims);
      // Position along the roll; segment k covers [k/10, (k+1)/10). sqrt spreads points evenly by arc length.
      return twoDimensionalMixture(name, (component) => {
        const t = Math.sqrt((component + random()) / 10);
        const angle = 3 * Math.PI * t;
        const radius = 4 * t;
        return [radius * Math.cos(angle) + 0.05 * normal(), radius * Math.sin(angle) + 0.05 * normal()];
      });
    default:
      throw new Error(`unknown prior '${String(name)}'; choose gaussian, mog10 or swissroll.`);
  }
}

/** The prior a model's codes are matched to (the AAEs' own; N(0, scale² I) for the others), seeded. */
export function createModelPrior(config: ModelConfig, seed: number): Prior {
  const name = config.model === 'aae' || config.model === 'supervised-aae' ? config.prior : 'gaussian';
  return createPrior(name, config.latent, { scale: config.priorScale, seed, categories: isCategorical(config.model) ? config.clusters : 1 });
}

function requireTwoDims(name: string, dims: number): void {
  if (dims !== 2) throw new Error(`prior '${name}' is 2-D; use --latent 2 with it (got ${dims}).`);
}
