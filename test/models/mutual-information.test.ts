import { describe, expect, it } from 'vitest';
import { backward } from '../../src/autograd/tape.js';
import { defaultConfig } from '../../src/models/config.js';
import { CategoricalAae } from '../../src/models/categorical-aae.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { useEngine } from '../helpers/engine.js';
import { randomValues } from '../helpers/reference.js';

const gpu = useEngine();

/** A clustering AAE small enough to perturb weight by weight: 10 pixels, one hidden layer of 6, K = 3. */
function tinyModel(mutualInformation = 1): CategoricalAae {
  return new CategoricalAae(gpu.engine, defaultConfig({ model: 'clustering-aae', clusters: 3, latent: 2, hidden: [6], pixels: 10, mutualInformation, seed: 3 }));
}

function disposeModel(model: CategoricalAae): void {
  for (const module of Object.values(model.modules())) module.dispose();
}

describe('the mutual-information term', () => {
  it('has the gradient of its finite differences, for the decoder and the encoder weights', async () => {
    const { engine } = gpu;
    const model = tinyModel();
    const categories = engine.keep(engine.tensor(Uint32Array.from([0, 2, 1, 1, 0, 2]), [6]));
    const styles = engine.keep(engine.tensor(randomValues(12, 5, -1.5, 1.5), [6, 2]));
    const cost = async (): Promise<number> => {
      const value = engine.scope(() => engine.noGrad(() => model.mutualInformationCost(categories, styles)));
      const result = await value.item();
      value.dispose();
      return result;
    };

    const checked: [string, Tensor][] = [
      ['decoder', model.decoder.parameters()[0]],
      ['decoder output layer', model.decoder.parameters()[2]],
      ['trunk', model.trunk.parameters()[0]],
      ['category head', model.categoryHead.parameters()[0]],
      ['category head bias', model.categoryHead.parameters()[1]],
    ];
    engine.scope(() => backward(model.mutualInformationCost(categories, styles)));
    const step = 3e-3;
    for (const [name, parameter] of checked) {
      const analytic = (await parameter.grad!.read()) as Float32Array;
      const values = (await parameter.read()) as Float32Array;
      const count = Math.min(12, values.length);
      const elements = Array.from({ length: count }, (_, s) => Math.floor(((s + 0.5) * values.length) / count));
      const numeric: number[] = [];
      for (const element of elements) {
        const moved = Float32Array.from(values);
        moved[element] = values[element] + step;
        parameter.write(moved);
        const plus = await cost();
        moved[element] = values[element] - step;
        parameter.write(moved);
        const minus = await cost();
        parameter.write(values);
        numeric.push((plus - minus) / (Math.fround(values[element] + step) - Math.fround(values[element] - step)));
      }
      const largest = Math.max(...numeric.map(Math.abs));
      // A gradient of zeros would pass the comparison below: the term must move each of these weights.
      expect(largest, name).toBeGreaterThan(1e-2);
      elements.forEach((element, i) => {
        const tolerance = 2e-4 + 3e-2 * Math.abs(numeric[i]) + 2e-2 * largest;
        expect(
          Math.abs(analytic[element] - numeric[i]) <= tolerance,
          `${name} [${element}]: analytic ${analytic[element]}, finite difference ${numeric[i]} (tolerance ${tolerance.toExponential(2)})`,
        ).toBe(true);
      });
    }
    categories.dispose();
    styles.dispose();
    disposeModel(model);
  });

  it('is the mean cross-entropy of the drawn categories under q(y | x̂), x̂ the sigmoid of the decoded logits', async () => {
    const { engine } = gpu;
    const model = tinyModel();
    const drawn = Uint32Array.from([0, 1, 2, 2]);
    const styleValues = randomValues(8, 9, -1, 1);
    const [cost, logits] = engine.scope(() =>
      engine.noGrad(() => {
        const categories = engine.tensor(drawn, [4]);
        const styles = engine.tensor(styleValues, [4, 2]);
        return [engine.keep(model.mutualInformationCost(categories, styles)), engine.keep(model.decodeLogits(styles, categories))];
      }),
    );
    // Worked out on the CPU from the decoder's logits: the sigmoid, the encoder's category logits of
    // those images, and the cross-entropy of each drawn category in float64.
    const pixels = Array.from((await logits.read()) as Float32Array, (value) => 1 / (1 + Math.exp(-value)));
    const categoryLogits = engine.scope(() => engine.noGrad(() => engine.keep(model.encodeBoth(engine.tensor(Float32Array.from(pixels), [4, 10])).categoryLogits)));
    const rows = (await categoryLogits.read()) as Float32Array;
    let expected = 0;
    drawn.forEach((category, row) => {
      const row3 = Array.from(rows.subarray(row * 3, row * 3 + 3));
      const top = Math.max(...row3);
      expected += -(row3[category] - top - Math.log(row3.reduce((sum, value) => sum + Math.exp(value - top), 0))) / drawn.length;
    });
    expect(await cost.item()).toBeCloseTo(expected, 4);
    for (const tensor of [cost, logits, categoryLogits]) tensor.dispose();
    disposeModel(model);
  });

  it('adds its own loss to the step only when weighted; weight 0 is the paper method', () => {
    const paper = tinyModel(0);
    const ours = tinyModel(2);
    expect(paper.lossNames).toEqual(['reconstruction', 'discriminator', 'generator']);
    expect(ours.lossNames).toEqual(['reconstruction', 'discriminator', 'generator', 'mutualInformation']);
    disposeModel(paper);
    disposeModel(ours);
  });

  it('is refused with a clear message where it means nothing', () => {
    expect(() => defaultConfig({ model: 'aae', mutualInformation: 1 })).toThrow('model config: mutualInformation is for the categorical AAEs, not aae.');
    expect(() => defaultConfig({ model: 'clustering-aae', mutualInformation: -1 })).toThrow('model config: mutualInformation must be 0 or more, got -1.');
    expect(defaultConfig({ model: 'clustering-aae' }).mutualInformation).toBe(0);
  });
});
