import { defineKernel, perElementLaunch } from '../kernels/kernel.js';
import { zeros } from '../launch/fill.js';
import type { Tensor } from '../tensor/tensor.js';
import source from '../../shaders/adam.wgsl';
import { Optimizer, type ParameterUpdate } from './optimizer.js';

const adamKernel = defineKernel({ name: 'adam', source, bindings: ['uniform', 'write', 'read', 'write', 'write'] });
const gatedAdamKernel = defineKernel({ name: 'adam:gated', source, entryPoint: 'main_gated', bindings: ['uniform', 'write', 'read', 'write', 'write', 'read'] });

export interface AdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** L2 penalty added to the gradient (or, with `decoupled`, AdamW's direct decay). Default 0. */
  weightDecay?: number;
  /** AdamW: decay the weights directly instead of through the gradient. Default false. */
  decoupled?: boolean;
  /**
   * Steps over which the learning rate halves: step t (counting from 1) uses learningRate * 0.5^((t - 1) / halfLife).
   * A schedule by step count needs no total length of training, and a restored step count resumes it.
   * 0 (the default) keeps the rate constant.
   */
  halfLife?: number;
}

/**
 * Adam with bias correction (Kingma & Ba), one fused kernel per parameter. The step count lives here;
 * the learning rate and bias corrections reach the kernels through `engine.uniform`, so a captured
 * training step advances t on every replay, and changing `learningRate` takes effect at the next step.
 * All parameters share one step count, advanced by each step that updates at least one of them.
 */
export class Adam extends Optimizer {
  learningRate: number;
  weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly decoupled: boolean;
  readonly halfLife: number;
  private steps = 0;
  private readonly firstMoments: Tensor[];
  private readonly secondMoments: Tensor[];

  constructor(parameters: Iterable<Tensor> | { parameters(): Tensor[] }, options: AdamOptions = {}) {
    super(parameters, 'Adam');
    this.learningRate = options.learningRate ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.decoupled = options.decoupled ?? false;
    this.halfLife = options.halfLife ?? 0;
    if (!(this.halfLife >= 0 && Number.isFinite(this.halfLife))) throw new Error(`Adam: halfLife ${this.halfLife} must be 0 (a constant rate) or a positive number of steps.`);
    for (const [name, value] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(value >= 0 && value < 1)) throw new Error(`Adam: ${name} ${value} must be in [0, 1).`);
    }
    if (!(this.epsilon > 0)) throw new Error(`Adam: epsilon ${this.epsilon} must be positive.`);
    checkHyperparameters('Adam', this.learningRate, this.weightDecay);
    this.firstMoments = this.parameters.map((p) => this.engine.keep(zeros(this.engine, p.shape)));
    this.secondMoments = this.parameters.map((p) => this.engine.keep(zeros(this.engine, p.shape)));
  }

  /** Steps taken so far (t of the last update). */
  get stepCount(): number {
    return this.steps;
  }

  /** The rate step t (counting from 1) updates with: `learningRate`, halved every `halfLife` steps. */
  learningRateAt(t: number): number {
    return this.halfLife > 0 ? this.learningRate * 0.5 ** ((t - 1) / this.halfLife) : this.learningRate;
  }

  state(): { tensors: Record<string, Tensor>; steps: number } {
    const tensors: Record<string, Tensor> = {};
    this.parameters.forEach((_, i) => {
      tensors[`${i}.firstMoment`] = this.firstMoments[i];
      tensors[`${i}.secondMoment`] = this.secondMoments[i];
    });
    return { tensors, steps: this.steps };
  }

  protected restoreSteps(steps: number): void {
    this.steps = steps;
  }

  /** Disposes the moment buffers. */
  dispose(): void {
    for (const t of [...this.firstMoments, ...this.secondMoments]) t.dispose();
  }

  protected update(updates: readonly ParameterUpdate[], gate: Tensor | null): void {
    const block = this.engine.uniform(16, () => {
      checkHyperparameters('Adam', this.learningRate, this.weightDecay);
      const t = ++this.steps;
      return new Float32Array([
        this.learningRateAt(t),
        1 / (1 - this.beta1 ** t),
        1 / (1 - this.beta2 ** t),
        this.weightDecay,
      ]);
    });
    for (const { parameter, index, grad } of updates) {
      const launch = perElementLaunch(parameter.size);
      const constants = { ...launch.constants, BETA1: this.beta1, BETA2: this.beta2, EPSILON: this.epsilon, DECOUPLED: +this.decoupled };
      const bindings = [block, parameter, grad, this.firstMoments[index], this.secondMoments[index]];
      if (gate) this.engine.dispatch(gatedAdamKernel, constants, [...bindings, gate], launch.workgroups);
      else this.engine.dispatch(adamKernel, constants, bindings, launch.workgroups);
    }
  }
}

export function checkHyperparameters(name: string, learningRate: number, weightDecay: number): void {
  if (!(Number.isFinite(learningRate) && learningRate >= 0)) throw new Error(`${name}: learning rate ${learningRate} must be finite and >= 0.`);
  if (!(Number.isFinite(weightDecay) && weightDecay >= 0)) throw new Error(`${name}: weight decay ${weightDecay} must be finite and >= 0.`);
}
