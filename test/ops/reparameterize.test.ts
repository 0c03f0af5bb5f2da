import { describe, expect, it } from 'vitest';
import { Random } from '../../src/random/philox.js';
import { reparameterize } from '../../src/ops/reparameterize.js';
import { useEngine } from '../helpers/engine.js';
import { checkGradients } from '../helpers/gradient-check.js';
import { expectClose, moments, randomValues } from '../helpers/reference.js';

const gpu = useEngine();

describe('reparameterize', () => {
  it('z = mu + exp(0.5 logvar) * eps against a float64 reference', async () => {
    const { engine } = gpu;
    for (const shape of [[1, 1], [7, 33], [100, 8]]) {
      const size = shape[0] * shape[1];
      const mu = randomValues(size, 1, -2, 2);
      const logvar = randomValues(size, 2, -6, 3);
      const eps = randomValues(size, 3, -3, 3);
      const inputs = [mu, logvar, eps].map((values) => engine.tensor(Float32Array.from(values), shape));
      const z = reparameterize(inputs[0], inputs[1], inputs[2]);
      expectClose(await z.read(), mu.map((m, i) => m + Math.exp(0.5 * logvar[i]) * eps[i]), { absolute: 1e-6, relative: 1e-6 });
      for (const t of [...inputs, z]) t.dispose();
    }
  });

  it('samples N(mu, exp(logvar)) with noise from Random', async () => {
    const { engine } = gpu;
    const random = new Random(engine, 21);
    const rows = 50_000;
    const mu = engine.tensor(new Float32Array(rows * 2).map((_, i) => (i % 2 === 0 ? 3 : -1)), [rows, 2]);
    const logvar = engine.tensor(new Float32Array(rows * 2).map((_, i) => (i % 2 === 0 ? Math.log(4) : Math.log(0.25))), [rows, 2]);
    const noise = random.normal([rows, 2]);
    const sample = reparameterize(mu, logvar, noise);
    const z = await sample.read();
    for (const t of [mu, logvar, noise, sample]) t.dispose();
    const columns = [0, 1].map((c) => moments(Float64Array.from({ length: rows }, (_, r) => z[r * 2 + c])));
    expect(Math.abs(columns[0].mean - 3)).toBeLessThan(0.03);
    expect(Math.abs(columns[0].variance - 4)).toBeLessThan(0.1);
    expect(Math.abs(columns[1].mean + 1)).toBeLessThan(0.01);
    expect(Math.abs(columns[1].variance - 0.25)).toBeLessThan(0.01);
  });

  it('gradients for mu, logvar and eps match finite differences', async () => {
    const inputs = (shape: number[]) => {
      const size = shape[0] * shape[1];
      return [
        { data: randomValues(size, 4, -1, 1), shape },
        { data: randomValues(size, 5, -2, 1), shape },
        { data: randomValues(size, 6, -2, 2), shape },
      ];
    };
    await checkGradients(gpu.engine, (mu, logvar, eps) => reparameterize(mu, logvar, eps), inputs([3, 4]));
    await checkGradients(gpu.engine, (mu, logvar, eps) => reparameterize(mu, logvar, eps), inputs([7, 33]), { constantInputs: [2] });
  });

  it('rejects mismatched shapes, naming all three', () => {
    const { engine } = gpu;
    engine.scope(() => {
      expect(() => reparameterize(engine.empty([2, 3]), engine.empty([2, 3]), engine.empty([3, 2]))).toThrow(
        /reparameterize: mu \[2, 3\], logvar \[2, 3\] and eps \[3, 2\]/,
      );
    });
  });
});
