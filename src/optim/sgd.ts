import { defineKernel, perElementLaunch } from '../kernels/kernel.js';
import { zeros } from '../launch/fill.js';
import type { Tensor } from '../tensor/tensor.js';
import source from '../../shaders/sgd.wgsl';
import { checkHyperparameters } from './adam.js';
import { Optimizer, type ParameterUpdate } from './optimizer.js';

const plainKernel = defineKernel({ name: 'sgd:plain', source, entryPoint: 'plain', bindings: ['uniform', 'write', 'read'] });
const momentumKernel = defineKernel({ name: 'sgd:momentum', source, entryPoint: 'momentum', bindings: ['uniform', 'write', 'read', 'write'] });

export interface SgdOptions {
  learningRate?: number;
  /** Heavy-ball momentum: v = momentum * v + g, p -= lr * v. Default 0 (plain SGD, no state). */
  momentum?: number;
  /** Nesterov momentum: p -= lr * (g + momentum * v). Needs momentum > 0. */
  nesterov?: boolean;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent with optional (Nesterov) momentum, one fused kernel per parameter.
 * `learningRate` and `weightDecay` may be changed between steps, captured steps included.
 */
export class Sgd extends Optimizer {
  learningRate: number;
  weightDecay: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  private readonly velocities: Tensor[];

  constructor(parameters: Iterable<Tensor> | { parameters(): Tensor[] }, options: SgdOptions = {}) {
    super(parameters, 'Sgd');
    this.learningRate = options.learningRate ?? 1e-2;
    this.weightDecay = options.weightDecay ?? 0;
    this.momentum = options.momentum ?? 0;
    this.nesterov = options.nesterov ?? false;
    checkHyperparameters('Sgd', this.learningRate, this.weightDecay);
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new Error(`Sgd: momentum ${this.momentum} must be in [0, 1).`);
    if (this.nesterov && this.momentum === 0) throw new Error('Sgd: Nesterov momentum needs momentum > 0.');
    this.velocities = this.momentum > 0 ? this.parameters.map((p) => this.engine.keep(zeros(this.engine, p.shape))) : [];
  }

  state(): { tensors: Record<string, Tensor>; steps: number } {
    return { tensors: Object.fromEntries(this.velocities.map((velocity, i) => [`${i}.velocity`, velocity])), steps: 0 };
  }

  protected restoreSteps(): void {}

  /** Disposes the velocity buffers. */
  dispose(): void {
    for (const t of this.velocities) t.dispose();
  }

  protected update(updates: readonly ParameterUpdate[], gate: Tensor | null): void {
    if (gate) throw new Error('Sgd.step: gated steps are not supported; use Adam, or step without a gate.');
    const block = this.engine.uniform(16, () => {
      checkHyperparameters('Sgd', this.learningRate, this.weightDecay);
      return new Float32Array([this.learningRate, this.weightDecay, 0, 0]);
    });
    for (const { parameter, index, grad } of updates) {
      const launch = perElementLaunch(parameter.size);
      if (this.momentum > 0) {
        const constants = { ...launch.constants, MOMENTUM: this.momentum, NESTEROV: +this.nesterov };
        this.engine.dispatch(momentumKernel, constants, [block, parameter, grad, this.velocities[index]], launch.workgroups);
      } else {
        this.engine.dispatch(plainKernel, launch.constants, [block, parameter, grad], launch.workgroups);
      }
    }
  }
}
