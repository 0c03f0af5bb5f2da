// Every matmul kernel the planner or the tuner can pick, checked against a float64 reference on awkward
// shapes, every pair of transposes and every epilogue; and the planner's lists checked for reach.
import { describe, expect, it } from 'vitest';
import { findMatmulVariant, MATMUL_VARIANTS } from '../../src/kernels/matmul-variants.js';
import { planMatmul, type AdapterKind, type MatmulProblem } from '../../src/kernels/matmul-plan.js';
import { checkLaunch, describeProblem, makeOperands, matmulCases } from '../../bench/kernel-lab/matmul-check.js';
import { useEngine } from '../helpers/engine.js';

const gpu = useEngine();
const cases = matmulCases();
const operands = cases.map((p, i) => makeOperands(p, 100 + i));

describe('every matmul variant against a float64 reference', () => {
  for (const variant of MATMUL_VARIANTS) {
    it(variant.name, async () => {
      const { engine } = gpu;
      if (variant.feature && !engine.features.has(variant.feature)) {
        console.warn(`${variant.name}: this adapter lacks '${variant.feature}'; not checked here`);
        return;
      }
      const failures: string[] = [];
      let checked = 0;
      for (const [i, p] of cases.entries()) {
        if (!variant.fits(p)) continue;
        const failure = await checkLaunch(engine, variant.launch(p), p, operands[i]);
        if (failure) failures.push(`${describeProblem(p)}: ${failure}`);
        checked++;
      }
      expect(failures).toEqual([]);
      expect(checked).toBeGreaterThan(0);
    });
  }
});

/** The model's layer shapes (batch 100; 784-1000-1000-8 and back, discriminator heads), forward and backward. */
function modelProblems(): MatmulProblem[] {
  const layers: [number, number][] = [[784, 1000], [1000, 1000], [1000, 8], [8, 1000], [1000, 784], [1000, 1], [256, 256], [2, 256]];
  const base = { hasBias: false, activation: 'none' as const, leakySlope: 0.2 };
  return layers.flatMap(([inputs, outputs]) => [
    { ...base, M: 100, N: outputs, K: inputs, transposeA: false, transposeB: false, hasBias: true, activation: 'relu' as const },
    { ...base, M: 100, N: inputs, K: outputs, transposeA: false, transposeB: true },
    { ...base, M: inputs, N: outputs, K: 100, transposeA: true, transposeB: false },
  ]);
}

describe('the planner', () => {
  const everything = new Set(['subgroups']);

  it('reaches every variant: each is a candidate for some model shape on some adapter kind', () => {
    const reached = new Set<string>();
    for (const kind of ['cpu', 'gpu'] as AdapterKind[]) {
      for (const features of [new Set<string>(), everything]) {
        for (const p of [...modelProblems(), { ...modelProblems()[0], M: 4096, N: 4096, K: 4096 }]) {
          for (const launch of planMatmul(p, kind, features).candidates) reached.add(launch.variant);
        }
      }
    }
    expect([...MATMUL_VARIANTS.map((v) => v.name)].filter((name) => !reached.has(name))).toEqual([]);
  });

  it('lists the fallback first, candidates that fit, none twice, none needing a missing feature', () => {
    for (const kind of ['cpu', 'gpu'] as AdapterKind[]) {
      for (const p of [...modelProblems(), ...cases]) {
        const plan = planMatmul(p, kind, new Set());
        expect(plan.candidates[0]).toEqual(plan.fallback);
        expect(plan.candidates.length).toBeLessThanOrEqual(kind === 'gpu' ? 4 : 5);
        expect(new Set(plan.candidates.map((c) => c.variant)).size).toBe(plan.candidates.length);
        for (const launch of plan.candidates) {
          const variant = findMatmulVariant(launch.variant)!;
          expect(variant.fits(p)).toBe(true);
          expect(variant.feature).toBeUndefined();
        }
      }
    }
  });

  it('refuses shapes that are not positive integers', () => {
    expect(() => planMatmul({ ...modelProblems()[0], K: 0 }, 'gpu')).toThrow(/K must be a positive integer, got 0/);
  });
});
