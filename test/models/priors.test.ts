import { describe, expect, it } from 'vitest';
import { createPrior } from '../../src/models/priors.js';
import { moments } from '../helpers/reference.js';

describe('priors', () => {
  it('the Gaussian prior has the asked standard deviation in every dimension', () => {
    const { codes } = createPrior('gaussian', 8, { scale: 5, seed: 1 }).sample(20_000);
    const stats = moments(codes);
    expect(Math.abs(stats.mean)).toBeLessThan(0.05);
    expect(Math.sqrt(stats.variance)).toBeCloseTo(5, 1);
  });

  it('mog10 puts component k around angle 2πk/10 at radius 4, and honours the components asked for', () => {
    const prior = createPrior('mog10', 2, { seed: 2 });
    const wanted = Uint8Array.from({ length: 5000 }, (_, i) => i % 10);
    const { codes, components } = prior.sample(wanted.length, wanted);
    expect(Array.from(components)).toEqual(Array.from(wanted));
    for (let k = 0; k < 10; k++) {
      let x = 0;
      let y = 0;
      for (let i = k; i < wanted.length; i += 10) {
        x += codes[2 * i];
        y += codes[2 * i + 1];
      }
      const n = wanted.length / 10;
      expect(Math.hypot(x / n, y / n)).toBeCloseTo(4, 0);
      const angle = Math.atan2(y, x);
      const expected = (2 * Math.PI * k) / 10;
      expect(Math.abs(Math.atan2(Math.sin(angle - expected), Math.cos(angle - expected)))).toBeLessThan(0.05);
    }
  });

  it('swissroll segments run outwards in order of their component', () => {
    const prior = createPrior('swissroll', 2, { seed: 3 });
    const radii = Array.from({ length: 10 }, (_, k) => {
      const { codes } = prior.sample(500, new Uint8Array(500).fill(k));
      let total = 0;
      for (let i = 0; i < 500; i++) total += Math.hypot(codes[2 * i], codes[2 * i + 1]);
      return total / 500;
    });
    for (let k = 1; k < 10; k++) expect(radii[k]).toBeGreaterThan(radii[k - 1]);
  });

  it('is reproducible from its seed, and refuses what it cannot do', () => {
    expect(createPrior('mog10', 2, { seed: 9 }).sample(50).codes).toEqual(createPrior('mog10', 2, { seed: 9 }).sample(50).codes);
    expect(() => createPrior('mog10', 3)).toThrow(/prior 'mog10' is 2-D; use --latent 2/);
    expect(() => createPrior('swissroll', 2).sample(2, [0, 10])).toThrow(/component 10 is outside 0..9/);
    expect(() => createPrior('cube' as never, 2)).toThrow(/unknown prior 'cube'/);
  });
});
