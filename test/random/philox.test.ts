import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/device/create-engine.js';
import { philoxBlocks, Random } from '../../src/random/philox.js';
import { useEngine } from '../helpers/engine.js';
import { moments } from '../helpers/reference.js';

const gpu = useEngine();

/** Philox4x32-10 on the CPU, written from the paper's description with BigInt products. */
function philoxReference(counter: readonly number[], key: readonly number[]): number[] {
  const mulhilo = (a: number, b: number): [number, number] => {
    const product = BigInt(a >>> 0) * BigInt(b >>> 0);
    return [Number(product >> 32n), Number(product & 0xffffffffn)];
  };
  let [c0, c1, c2, c3] = counter.map((x) => x >>> 0);
  let [k0, k1] = key.map((x) => x >>> 0);
  for (let round = 0; round < 10; round++) {
    const [hi0, lo0] = mulhilo(0xd2511f53, c0);
    const [hi1, lo1] = mulhilo(0xcd9e8d57, c2);
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + 0x9e3779b9) >>> 0;
    k1 = (k1 + 0xbb67ae85) >>> 0;
  }
  return [c0, c1, c2, c3];
}

// Random123's published known-answer vectors for philox4x32-10: counter, key, expected output.
const knownAnswers: { counter: number[]; key: number[]; output: number[] }[] = [
  { counter: [0, 0, 0, 0], key: [0, 0], output: [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8] },
  {
    counter: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    key: [0xffffffff, 0xffffffff],
    output: [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
  },
  {
    counter: [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    key: [0xa4093822, 0x299f31d0],
    output: [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
  },
];

/** The words of the stream's blocks first..first+count-1 for a seed, as the generator lays them out. */
function streamWords(seed: number, firstBlock: number, count: number): number[] {
  const words: number[] = [];
  for (let block = firstBlock; block < firstBlock + count; block++) words.push(...philoxReference([block, 0, 0, 0], [seed, 0]));
  return words;
}

describe('Philox4x32-10', () => {
  it('the CPU reference gives the published known answers', () => {
    for (const { counter, key, output } of knownAnswers) expect(philoxReference(counter, key)).toEqual(output);
  });

  it('the GPU kernel gives the published known answers', async () => {
    const { engine } = gpu;
    const inputs = engine.tensor(Uint32Array.from(knownAnswers.flatMap(({ counter, key }) => [...counter, ...key])), [knownAnswers.length, 6]);
    const output = philoxBlocks(engine, inputs);
    expect(Array.from(await output.read())).toEqual(knownAnswers.flatMap(({ output }) => output));
    inputs.dispose();
    output.dispose();
  });

  it('matches the CPU reference on many counters and keys', async () => {
    const { engine } = gpu;
    const rows: number[][] = [];
    for (let i = 0; i < 257; i++) rows.push([i * 2654435761, i ^ 0xdeadbeef, i * 7, 0xffffffff - i, i * 40503, 12345 + i].map((x) => x >>> 0));
    const inputs = engine.tensor(Uint32Array.from(rows.flat()), [rows.length, 6]);
    const output = philoxBlocks(engine, inputs);
    expect(Array.from(await output.read())).toEqual(rows.flatMap((row) => philoxReference(row.slice(0, 4), row.slice(4))));
    inputs.dispose();
    output.dispose();
  });
});

describe('Random', () => {
  it('uniform values are the stream words scaled: (word >> 8) / 2^24 into [low, high)', async () => {
    const { engine } = gpu;
    const random = new Random(engine, 42);
    const first = random.uniform([7]);
    const second = random.uniform([3, 3], -2, 3);
    const words = streamWords(42, 0, 2 + 3);
    const expectedFirst = words.slice(0, 7).map((w) => Math.fround((w >>> 8) / 2 ** 24));
    // The first draw used two blocks (8 words), so the second starts at block 2.
    const expectedSecond = words.slice(8, 17).map((w) => Math.fround(-2 + 5 * Math.fround((w >>> 8) / 2 ** 24)));
    expect(Array.from(await first.read())).toEqual(expectedFirst);
    const got = await second.read();
    expectedSecond.forEach((value, i) => expect(got[i]).toBeCloseTo(value, 6));
    expect(random.state().blocks).toBe(5);
    first.dispose();
    second.dispose();
  });

  it('uniform and normal moments over 100k values', async () => {
    const { engine } = gpu;
    const random = new Random(engine, 7);
    const uniform = random.uniform([100_000], -1, 3);
    const normal = random.normal([100, 1000], 2, 0.5);
    const standard = random.normal([100_001]);
    const u = moments(await uniform.read());
    // Standard errors: mean 4/sqrt(12)/sqrt(n) ≈ 0.0037, variance ≈ 0.006.
    expect(u.mean).toBeCloseTo(1, 1);
    expect(Math.abs(u.mean - 1)).toBeLessThan(0.02);
    expect(Math.abs(u.variance - 16 / 12)).toBeLessThan(0.03);
    const uniformValues = await uniform.read();
    expect(Math.min(...uniformValues)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...uniformValues)).toBeLessThan(3);
    const n = moments(await normal.read());
    expect(Math.abs(n.mean - 2)).toBeLessThan(0.01);
    expect(Math.abs(n.variance - 0.25)).toBeLessThan(0.01);
    const values = await standard.read();
    const s = moments(values);
    expect(Math.abs(s.mean)).toBeLessThan(0.02);
    expect(Math.abs(s.variance - 1)).toBeLessThan(0.03);
    // Tails and shape: about 4.55% beyond 2 sigma, skew and excess kurtosis near 0.
    let beyond = 0;
    let third = 0;
    let fourth = 0;
    for (const v of values) {
      if (Math.abs(v) > 2) beyond++;
      third += v ** 3;
      fourth += v ** 4;
    }
    expect(Math.abs(beyond / values.length - 0.0455)).toBeLessThan(0.004);
    expect(Math.abs(third / values.length)).toBeLessThan(0.05);
    expect(Math.abs(fourth / values.length - 3)).toBeLessThan(0.1);
    expect(values.every(Number.isFinite)).toBe(true);
    for (const t of [uniform, normal, standard]) t.dispose();
  });

  it('bernoulli with a probability and with a tensor of probabilities', async () => {
    const { engine } = gpu;
    const random = new Random(engine, 3);
    const scalar = random.bernoulli(0.3, [200, 500]);
    const scalarValues = await scalar.read();
    expect(scalarValues.every((v) => v === 0 || v === 1)).toBe(true);
    expect(Math.abs(moments(scalarValues).mean - 0.3)).toBeLessThan(0.005);

    const p = new Float32Array(100_000);
    for (let i = 0; i < p.length; i++) p[i] = [0, 1, 0.25, 0.9][i % 4];
    const probabilities = engine.tensor(p, [1000, 100]);
    const drawn = await random.bernoulli(probabilities).read();
    const counts = [0, 0, 0, 0];
    drawn.forEach((v, i) => (counts[i % 4] += v));
    expect(counts[0]).toBe(0);
    expect(counts[1]).toBe(25_000);
    expect(Math.abs(counts[2] / 25_000 - 0.25)).toBeLessThan(0.01);
    expect(Math.abs(counts[3] / 25_000 - 0.9)).toBeLessThan(0.01);
    expect(() => random.bernoulli(1.5, [2])).toThrow(/probability 1.5/);
    expect(() => random.bernoulli(0.5)).toThrow(/shape/);
    scalar.dispose();
    probabilities.dispose();
  });

  it('categorical follows each row\'s probabilities, unnormalised rows included', async () => {
    const { engine } = gpu;
    const random = new Random(engine, 11);
    const rows = 30_000;
    const p = new Float32Array(rows * 3);
    for (let r = 0; r < rows; r++) p.set(r % 2 === 0 ? [0.2, 0.5, 0.3] : [0, 0, 4], r * 3);
    const probabilities = engine.tensor(p, [rows, 3]);
    const classes = random.categorical(probabilities);
    expect(classes.dtype).toBe('u32');
    const values = await classes.read();
    const counts = [0, 0, 0];
    for (let r = 0; r < rows; r += 2) counts[values[r]]++;
    for (let r = 1; r < rows; r += 2) expect(values[r]).toBe(2);
    const half = rows / 2;
    [0.2, 0.5, 0.3].forEach((expected, c) => expect(Math.abs(counts[c] / half - expected)).toBeLessThan(0.015));
    probabilities.dispose();
    classes.dispose();
  });

  it('is deterministic across runs and engines, and seeds differ', async () => {
    const { engine } = gpu;
    const draw = async (random: Random) => {
      const a = random.normal([1000]);
      const b = random.uniform([33]);
      const result = [...(await a.read()), ...(await b.read())];
      a.dispose();
      b.dispose();
      return result;
    };
    const first = await draw(new Random(engine, 1234));
    const second = await draw(new Random(engine, 1234));
    const other = await draw(new Random(engine, 1235));
    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
    const otherEngine = await createEngine();
    try {
      expect(await draw(new Random(otherEngine, 1234))).toEqual(first);
    } finally {
      otherEngine.dispose();
    }
  });

  it('a captured step replays with fresh numbers, equal to the same calls made eagerly', async () => {
    const { engine } = gpu;
    const steps = 4;
    const eagerRandom = new Random(engine, 99);
    const eager: number[][] = [];
    for (let i = 0; i < steps; i++) {
      const noise = eagerRandom.normal([5, 7]);
      const mask = eagerRandom.bernoulli(0.5, [9]);
      eager.push([...(await noise.read()), ...(await mask.read())]);
      noise.dispose();
      mask.dispose();
    }

    const capturedRandom = new Random(engine, 99);
    const step = engine.capture(() => ({ noise: capturedRandom.normal([5, 7]), mask: capturedRandom.bernoulli(0.5, [9]) }));
    const replayed: number[][] = [];
    for (let i = 0; i < steps; i++) {
      if (i > 0) step.run();
      replayed.push([...(await step.outputs.noise.read()), ...(await step.outputs.mask.read())]);
    }
    step.dispose();
    expect(replayed).toEqual(eager);
    expect(replayed[1]).not.toEqual(replayed[0]);
    expect(capturedRandom.state()).toEqual(eagerRandom.state());
  });

  it('state and restore resume a sequence', async () => {
    const { engine } = gpu;
    const random = new Random(engine, 5);
    random.uniform([10]).dispose();
    const saved = random.state();
    const a = await random.normal([6]).read();
    random.restore(saved);
    const b = await random.normal([6]).read();
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(b)).not.toEqual(Array.from(await random.normal([6]).read()));
    expect(() => random.restore({ seed: 6, blocks: 0 })).toThrow(/seed 6/);
    expect(() => new Random(engine, -1)).toThrow(/seed -1/);
  });
});
