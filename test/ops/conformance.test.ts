import { describe, expect, it } from 'vitest';
import { OP_NAMES } from '../../src/autograd/op-names.js';
import { useEngine } from '../helpers/engine.js';
import { checkCase, checksGradient, describeCase } from '../helpers/op-check.js';
import { OP_REGISTRY, type OpCase, type OpSpec } from './registry/index.js';
import { record } from '../../src/autograd/tape.js';
import { zeros } from '../../src/launch/fill.js';
import { bceWithLogits, exp, mul, mulScalar } from '../../src/index.js';

// Every differentiable op, from the registry: its forward against its float64 reference at every element,
// the kernels it dispatches, the name it records on the tape, and (on cases small enough to perturb every
// element) its gradient against central finite differences of the float64 reference.

describe('op registry', () => {
  it('has an entry for every name the tape accepts, each with cases and a gradient-checked one', () => {
    expect(Object.keys(OP_REGISTRY).sort()).toEqual([...OP_NAMES].sort());
    for (const [name, spec] of Object.entries(OP_REGISTRY)) {
      expect(spec.cases.length, name).toBeGreaterThan(0);
      const checked = spec.cases.some(checksGradient);
      expect(checked, `${name} has no case small enough for a gradient check`).toBe(true);
    }
  });
});

describe.each(Object.entries(OP_REGISTRY) as [keyof typeof OP_REGISTRY, OpSpec][])('%s', (name, spec) => {
  // Planned as for a CPU adapter anywhere, so that the matmul kernels named in the registry are the ones run.
  const gpu = useEngine({ adapterKind: 'cpu' });
  const kernelsSeen = new Set<string>();

  it.each(spec.cases.map((testCase, index) => [describeCase(testCase), testCase, index] as const))('%s', async (_label, testCase, caseIndex) => {
    await checkCase(gpu.engine, name, spec, testCase, caseIndex, kernelsSeen);
  });

  it('dispatches the kernels its entry names', () => {
    const seen = [...kernelsSeen].sort().join(', ');
    expect(seen, `dispatched: ${seen}`).toBe([...spec.kernels].sort().join(', '));
  });
});

describe('the conformance check fails on a planted fault', () => {
  const gpu = useEngine({ adapterKind: 'cpu' });
  const small: OpCase = { inputs: [{ shape: [7, 33] }] };

  it('a gradient rule that returns zeros (bceWithLogits, mean over [7, 33])', async () => {
    const { engine } = gpu;
    const zeroGradient: OpSpec = {
      ...OP_REGISTRY.bceWithLogits,
      forward: ([logits, targets]) => {
        const loss = engine.noGrad(() => bceWithLogits(logits, targets));
        return record('bceWithLogits', [logits, targets], loss, () => [zeros(engine, logits.shape), zeros(engine, targets.shape)]);
      },
    };
    const testCase: OpCase = { inputs: [{ shape: [7, 33] }, { shape: [7, 33], draw: 'probability' }], options: { reduction: 'mean' } };
    await expect(checkCase(engine, 'bceWithLogits', zeroGradient, testCase, 0)).rejects.toThrow(/gradient of input 0/);
  });

  it('a gradient off by a few percent', async () => {
    const { engine } = gpu;
    const scaled: OpSpec = {
      ...OP_REGISTRY.exp,
      forward: ([x]) => {
        const y = engine.noGrad(() => exp(x));
        return record('exp', [x], y, (gradOutput) => [mulScalar(mul(gradOutput, y), 1.02)]);
      },
    };
    await expect(checkCase(engine, 'exp', scaled, small, 0)).rejects.toThrow(/gradient of input 0/);
  });

  it('a forward that disagrees with its reference', async () => {
    const wrong: OpSpec = { ...OP_REGISTRY.sigmoid, reference: ([x]) => x.values.map(Math.tanh) };
    await expect(checkCase(gpu.engine, 'sigmoid', wrong, small, 0)).rejects.toThrow(/forward: element/);
  });

  it('a forward recorded on the tape under another name', async () => {
    await expect(checkCase(gpu.engine, 'exp', OP_REGISTRY.sqrt, { inputs: [{ shape: [7], draw: 'positive' }] }, 0)).rejects.toThrow(/tape/);
  });
});
