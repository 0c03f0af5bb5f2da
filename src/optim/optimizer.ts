import type { Engine } from '../device/engine.js';
import type { Tensor } from '../tensor/tensor.js';

/** A parameter that takes part in this step, with its gradient. */
export interface ParameterUpdate {
  parameter: Tensor;
  /** The parameter's position in `parameters`: its optimizer state has the same index. */
  index: number;
  grad: Tensor;
}

/**
 * Updates a fixed list of parameters in place on the GPU from their `.grad`. A parameter without a
 * gradient (frozen, or not reached by the loss) is left alone. Subclasses make their state (moments,
 * velocities) in their constructor, outside any captured step, so a capture never owns it.
 */
export abstract class Optimizer {
  readonly engine: Engine;
  readonly parameters: readonly Tensor[];

  constructor(parameters: Iterable<Tensor> | { parameters(): Tensor[] }, name: string) {
    const list = 'parameters' in parameters && typeof parameters.parameters === 'function' ? parameters.parameters() : [...(parameters as Iterable<Tensor>)];
    if (list.length === 0) throw new Error(`${name}: no parameters given.`);
    const seen = new Set<Tensor>();
    list.forEach((parameter, index) => {
      if (parameter.dtype !== 'f32') throw new Error(`${name}: parameter ${index} ${parameter.describe()} must be f32.`);
      if (parameter.disposed) throw new Error(`${name}: parameter ${index} ${parameter.describe()} was disposed.`);
      if (seen.has(parameter)) throw new Error(`${name}: parameter ${index} ${parameter.describe()} is listed twice; it would be updated twice per step.`);
      if (parameter.engine !== list[0].engine) throw new Error(`${name}: parameter ${index} belongs to another engine.`);
      seen.add(parameter);
    });
    this.engine = list[0].engine;
    this.parameters = list;
  }

  /**
   * Disposes and clears every parameter's gradient (a gradient already disposed counts as none). The
   * models call it after each `step()` as well as before: spent gradients then hold no memory between
   * steps, and in a captured step their buffers serve later phases (src/device/buffer-plan.ts).
   */
  zeroGrad(): void {
    for (const parameter of this.parameters) {
      parameter.grad?.dispose();
      parameter.grad = null;
    }
  }

  /**
   * Records one update of every parameter that has a gradient; does nothing when none has. With `gate`
   * (a one-element tensor computed on the GPU), the update is skipped on the GPU when gate[0] is 0, so a
   * captured step can decide per replay without a readback. The step count advances either way.
   */
  step(gate: Tensor | null = null): void {
    const updates: ParameterUpdate[] = [];
    this.parameters.forEach((parameter, index) => {
      const grad = parameter.grad;
      if (grad && !grad.disposed) updates.push({ parameter, index, grad });
    });
    if (gate && (gate.dtype !== 'f32' || gate.size !== 1)) throw new Error(`${this.constructor.name}.step: gate ${gate.describe()} must be one f32 value.`);
    if (updates.length > 0) this.update(updates, gate);
  }

  /**
   * The optimizer's state for a checkpoint: its state tensors by name (live tensors, read them to save)
   * and its step count. `loadState` puts it back, so a resumed run continues exactly.
   */
  abstract state(): { tensors: Record<string, Tensor>; steps: number };

  loadState(saved: { tensors: Record<string, ArrayLike<number>>; steps: number }): void {
    const { tensors } = this.state();
    for (const [name, tensor] of Object.entries(tensors)) {
      const values = saved.tensors[name];
      if (!values) throw new Error(`${this.constructor.name}.loadState: the saved state has no '${name}'.`);
      if (values.length !== tensor.size) {
        throw new Error(`${this.constructor.name}.loadState: '${name}' has ${values.length} values, expected ${tensor.size} for ${tensor.describe()}.`);
      }
      tensor.write(values);
    }
    this.restoreSteps(saved.steps);
  }

  protected abstract restoreSteps(steps: number): void;

  protected abstract update(updates: readonly ParameterUpdate[], gate: Tensor | null): void;
}
