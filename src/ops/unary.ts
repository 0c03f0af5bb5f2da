import { record } from '../autograd/tape.js';
import { defineKernel, perElementLaunch, type KernelDefinition } from '../kernels/kernel.js';
import type { Activation } from '../kernels/matmul-plan.js';
import { wgslWithCodes, wgslWithLibrary } from '../kernels/wgsl-library.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { requireFinite, requireFloat, requireSameEngine } from './checks.js';
import unaryWgsl from '../../shaders/unary.wgsl';

/** The maps of shaders/unary.wgsl, with the OP code the shader switches on (as UNARY_SIGMOID, ...). */
export const UNARY_CODES = {
  neg: 0,
  exp: 1,
  log: 2,
  sqrt: 3,
  square: 4,
  relu: 5,
  leakyRelu: 6,
  sigmoid: 7,
  tanh: 8,
  softplus: 9,
  clamp: 10,
  addScalar: 11,
  mulScalar: 12,
} as const;

export type UnaryMap = keyof typeof UNARY_CODES;

const unarySource = wgslWithLibrary(wgslWithCodes(unaryWgsl, 'UNARY', UNARY_CODES), 'stable-math');

/** Activations a matmul can fuse into its epilogue; their gradients need only the activation's output. */
export type { Activation };

type UnaryEntry = 'forward' | 'forward4' | 'backward' | 'backward4';

// Forward passes bind (x, y), backward ones (saved, dy, dx); each map's kernels carry its name.
function kernelsOf(map: UnaryMap): Record<UnaryEntry, KernelDefinition> {
  const forward = (entryPoint: UnaryEntry) => defineKernel({ name: `unary:${map}`, source: unarySource, entryPoint, bindings: ['read', 'write'] });
  const backward = (entryPoint: UnaryEntry) =>
    defineKernel({ name: `unary:${map}:backward`, source: unarySource, entryPoint, bindings: ['read', 'read', 'write'] });
  return { forward: forward('forward'), forward4: forward('forward4'), backward: backward('backward'), backward4: backward('backward4') };
}
const KERNELS = Object.fromEntries((Object.keys(UNARY_CODES) as UnaryMap[]).map((map) => [map, kernelsOf(map)])) as Record<UnaryMap, Record<UnaryEntry, KernelDefinition>>;

/** Records y = map(x) with no gradient (the building block of the ops below and of the scalar ops). */
export function mapElements(map: UnaryMap, x: Tensor, p0 = 0, p1 = 0): Tensor {
  requireFloat(map, x);
  const engine = x.engine;
  const output = engine.empty(x.shape);
  const vectorised = x.size % 4 === 0;
  const launch = perElementLaunch(vectorised ? x.size / 4 : x.size);
  const kernel = KERNELS[map][vectorised ? 'forward4' : 'forward'];
  engine.dispatch(kernel, { ...launch.constants, OP: UNARY_CODES[map], P0: p0, P1: p1 }, [x, output], launch.workgroups);
  return output;
}

/** Records dx = dy * map'(saved); `saved` is map's output or input, as shaders/unary.wgsl expects. */
function mapGradient(map: UnaryMap, saved: Tensor, gradOutput: Tensor, p0 = 0, p1 = 0): Tensor {
  const engine = saved.engine;
  const output = engine.empty(saved.shape);
  const vectorised = saved.size % 4 === 0;
  const launch = perElementLaunch(vectorised ? saved.size / 4 : saved.size);
  const kernel = KERNELS[map][vectorised ? 'backward4' : 'backward'];
  engine.dispatch(kernel, { ...launch.constants, OP: UNARY_CODES[map], P0: p0, P1: p1 }, [saved, gradOutput, output], launch.workgroups);
  return output;
}

/** A map whose gradient reads its output (exp, sqrt and the activations). */
function fromOutput(map: UnaryMap, x: Tensor, p0 = 0): Tensor {
  const y = mapElements(map, x, p0);
  return record(map, [x], y, (gradOutput) => [mapGradient(map, y, gradOutput, p0)]);
}

/** A map whose gradient reads its input. */
function fromInput(map: UnaryMap, x: Tensor, p0 = 0, p1 = 0): Tensor {
  const y = mapElements(map, x, p0, p1);
  return record(map, [x], y, (gradOutput) => [mapGradient(map, x, gradOutput, p0, p1)]);
}

export function exp(x: Tensor): Tensor {
  return fromOutput('exp', x);
}

/**
 * Natural logarithm. log(0) is -Infinity as in IEEE arithmetic; a negative or NaN input is reported,
 * naming this op, by the engine's next read (checked on the GPU, no readback here).
 */
export function log(x: Tensor): Tensor {
  x.engine.checkDomain('log', x, 'nonNegative', 'Clamp the input away from zero first (e.g. clamp(x, 1e-7, 1e30)), or use a fused loss such as bceWithLogits.');
  return fromInput('log', x);
}

/** Square root; a negative or NaN input is reported by the engine's next read, like log's. */
export function sqrt(x: Tensor): Tensor {
  x.engine.checkDomain('sqrt', x, 'nonNegative', 'Clamp the input to >= 0, or add a small epsilon before the square root.');
  return fromOutput('sqrt', x);
}

export function square(x: Tensor): Tensor {
  return fromInput('square', x);
}

export function relu(x: Tensor): Tensor {
  return fromOutput('relu', x);
}

/** x for x > 0, slope·x otherwise. The slope must be >= 0 so that the output's sign tells the side. */
export function leakyRelu(x: Tensor, slope = 0.2): Tensor {
  checkSlope('leakyRelu', slope);
  return fromOutput('leakyRelu', x, slope);
}

/** 1 / (1 + e^-x), computed without overflow for any x. */
export function sigmoid(x: Tensor): Tensor {
  return fromOutput('sigmoid', x);
}

export function tanh(x: Tensor): Tensor {
  return fromOutput('tanh', x);
}

/** log(1 + e^x), as max(x, 0) + log1p(e^-|x|): no overflow, and accurate for very negative x. */
export function softplus(x: Tensor): Tensor {
  return fromInput('softplus', x);
}

/** Limits x to [min, max]; the gradient passes only where min < x < max. */
export function clamp(x: Tensor, min: number, max: number): Tensor {
  requireFinite('clamp', 'min', min);
  requireFinite('clamp', 'max', max);
  if (min > max) throw new Error(`clamp: min ${min} is greater than max ${max}.`);
  return fromInput('clamp', x, min, max);
}

/**
 * The gradient through an activation, from the activation's output `output` and the gradient of that
 * output: what a matmul with a fused activation epilogue needs for its pre-activation gradient.
 * Returns `gradOutput` itself for 'none'.
 */
export function activationBackward(activation: Activation, output: Tensor, gradOutput: Tensor, leakySlope = 0.2): Tensor {
  const op = 'activationBackward';
  requireFloat(op, output, 'output');
  requireFloat(op, gradOutput, 'gradOutput');
  requireSameEngine(op, [output, gradOutput]);
  if (!sameShape(output.shape, gradOutput.shape)) {
    throw new Error(`${op}: output ${formatShape(output.shape)} and gradOutput ${formatShape(gradOutput.shape)} must have the same shape.`);
  }
  switch (activation) {
    case 'none':
      return gradOutput;
    case 'leakyRelu':
      checkSlope(op, leakySlope);
      return mapGradient('leakyRelu', output, gradOutput, leakySlope);
    case 'relu':
    case 'sigmoid':
    case 'tanh':
      return mapGradient(activation, output, gradOutput);
    default:
      throw new Error(`${op}: unknown activation '${String(activation)}' (use 'none', 'relu', 'leakyRelu', 'sigmoid' or 'tanh').`);
  }
}

function checkSlope(op: string, slope: number): void {
  requireFinite(op, 'leaky slope', slope);
  if (slope < 0) {
    throw new Error(`${op}: leaky slope ${slope} must be >= 0 (the gradient reads the sign of the output).`);
  }
}
