import type { Engine } from '../device/engine.js';
import { record } from '../autograd/tape.js';
import { planMatmul, type Activation, type MatmulProblem } from '../kernels/matmul-plan.js';
import type { TunableDispatch } from '../tuning/tuner.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { activationBackward } from './unary.js';
import { sum } from './reduce.js';

export type { Activation } from '../kernels/matmul-plan.js';

export interface MatmulOptions {
  /** Use Aᵀ: `a` holds K×M. */
  transposeA?: boolean;
  /** Use Bᵀ: `b` holds N×K. */
  transposeB?: boolean;
}

interface Epilogue {
  bias: Tensor | null;
  activation: Activation;
  leakySlope: number;
}

/** The bias binding must always be bound; a matmul without bias binds this one-element stand-in. */
const noBias = new WeakMap<Engine, Tensor>();

/** C = op(A)·op(B) for 2-D tensors, with its gradient. */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  const output = fusedMatmul('matmul', a, b, transposeA, transposeB, { bias: null, activation: 'none', leakySlope: 0 });
  return record('matmul', [a, b], output, (gradOutput, needed) => [
    needed[0] ? gradientOfA(gradOutput, b, transposeA, transposeB) : null,
    needed[1] ? gradientOfB(gradOutput, a, transposeA, transposeB) : null,
  ]);
}

/**
 * A dense layer in one kernel: activation(x·weight + bias), x [batch, in], weight [in, out],
 * bias [out] or null. The gradient works from the layer's output, so nothing else is kept.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null, activation: Activation = 'none', leakySlope = 0.2): Tensor {
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== weight.shape[1])) {
    throw new Error(`linear: bias ${formatShape(bias.shape)} must be [${weight.shape[1]}] for weight ${formatShape(weight.shape)}.`);
  }
  const output = fusedMatmul('linear', x, weight, false, false, { bias, activation, leakySlope });
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record('linear', inputs, output, (gradOutput, needed) => {
    const gradPre = activationBackward(activation, output, gradOutput, leakySlope);
    return [
      needed[0] ? matmul(gradPre, weight, { transposeB: true }) : null,
      needed[1] ? matmul(x, gradPre, { transposeA: true }) : null,
      needed[2] ? sum(gradPre, 0) : null,
    ];
  });
}

function fusedMatmul(op: string, a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean, epilogue: Epilogue): Tensor {
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    throw new Error(`${op}: expects 2-D tensors, got ${formatShape(a.shape)} and ${formatShape(b.shape)}.`);
  }
  if (a.dtype !== 'f32' || b.dtype !== 'f32') {
    throw new Error(`${op}: expects f32 tensors, got ${a.dtype} and ${b.dtype}.`);
  }
  const [M, K] = transposeA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [bK, N] = transposeB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (K !== bK) {
    const sides = `${transposeA ? 'Aᵀ' : 'A'}·${transposeB ? 'Bᵀ' : 'B'}`;
    throw new Error(
      `${op}: inner dimensions differ: ${formatShape(a.shape)}${transposeA ? 'ᵀ' : ''} · ${formatShape(b.shape)}${transposeB ? 'ᵀ' : ''} ` +
        `(${sides} needs ${K} == ${bK}).`,
    );
  }
  const engine = a.engine;
  const problem: MatmulProblem = { M, N, K, transposeA, transposeB, hasBias: epilogue.bias !== null, activation: epilogue.activation, leakySlope: epilogue.leakySlope };
  const output = engine.empty([M, N]);
  const bias = epilogue.bias ?? biasStandIn(engine);
  engine.dispatchTuned(tunableMatmul(engine, problem), [a, b, bias, output]);
  return output;
}

/** Each engine's plans, by problem: planning allocates, and a training step asks for the same few. */
const plans = new WeakMap<Engine, Map<string, TunableDispatch>>();

function tunableMatmul(engine: Engine, problem: MatmulProblem): TunableDispatch {
  let byProblem = plans.get(engine);
  if (!byProblem) plans.set(engine, (byProblem = new Map()));
  const id = `${problem.M},${problem.N},${problem.K},${+problem.transposeA}${+problem.transposeB}${+problem.hasBias},${problem.activation},${problem.leakySlope}`;
  let tunable = byProblem.get(id);
  if (!tunable) {
    const { M, N, K } = problem;
    tunable = { ...planMatmul(problem, engine.kind, engine.features), bindingBytes: [4 * M * K, 4 * K * N, 4 * (problem.hasBias ? N : 1), 4 * M * N] };
    byProblem.set(id, tunable);
  }
  return tunable;
}

// C = op(A)·op(B): dop(A) = G·op(B)ᵀ and dop(B) = op(A)ᵀ·G, then transposed back to each buffer's layout.
function gradientOfA(gradOutput: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor {
  if (!transposeA) return matmul(gradOutput, b, { transposeB: !transposeB });
  return matmul(b, gradOutput, { transposeA: transposeB, transposeB: true });
}

function gradientOfB(gradOutput: Tensor, a: Tensor, transposeA: boolean, transposeB: boolean): Tensor {
  if (!transposeB) return matmul(a, gradOutput, { transposeA: !transposeA });
  return matmul(gradOutput, a, { transposeA: true, transposeB: transposeA });
}

function biasStandIn(engine: Engine): Tensor {
  let standIn = noBias.get(engine);
  if (!standIn || standIn.disposed) {
    standIn = engine.keep(engine.tensor([0], [1]));
    noBias.set(engine, standIn);
  }
  return standIn;
}
