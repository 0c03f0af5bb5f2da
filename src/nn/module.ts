import { formatShape, sameShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/** Values to load into a module: tensors (copied on the GPU) or plain arrays (uploaded). */
export type StateDict = Record<string, Tensor | ArrayLike<number>>;

/**
 * A piece of a network that owns parameters and child modules, registered by name in its constructor
 * (`this.weight = this.addParameter('weight', ...)`). Names nest with dots: `layers.0.weight`.
 */
export abstract class Module {
  private readonly ownParameters = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /** Every parameter with its dotted name, this module's own first, then each child's in order. */
  namedParameters(): [string, Tensor][] {
    const named: [string, Tensor][] = [...this.ownParameters];
    for (const [childName, child] of this.children) {
      for (const [name, parameter] of child.namedParameters()) named.push([`${childName}.${name}`, parameter]);
    }
    return named;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, parameter]) => parameter);
  }

  /**
   * Stops gradients reaching this module's parameters (a frozen network inside another's loss), and
   * drops their current gradients so an optimizer step leaves them alone.
   */
  freeze(): this {
    for (const parameter of this.parameters()) {
      parameter.requiresGrad = false;
      parameter.grad?.dispose();
      parameter.grad = null;
    }
    return this;
  }

  unfreeze(): this {
    for (const parameter of this.parameters()) parameter.requiresGrad = true;
    return this;
  }

  /** True when no parameter takes gradients. */
  get frozen(): boolean {
    return this.parameters().every((parameter) => !parameter.requiresGrad);
  }

  /** The parameters by dotted name: the live tensors themselves, not copies (read them to save). */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.namedParameters());
  }

  /**
   * Overwrites the parameters with `state`, checking every name and shape before changing anything.
   * Tensors are copied on the GPU; arrays (e.g. loaded from a file) are uploaded.
   */
  loadStateDict(state: StateDict): void {
    const own = new Map(this.namedParameters());
    const missing = [...own.keys()].filter((name) => !(name in state));
    const unexpected = Object.keys(state).filter((name) => !own.has(name));
    if (missing.length > 0 || unexpected.length > 0) {
      const parts = [];
      if (missing.length > 0) parts.push(`missing ${missing.join(', ')}`);
      if (unexpected.length > 0) parts.push(`unexpected ${unexpected.join(', ')}`);
      throw new Error(`loadStateDict: the state does not match this ${this.constructor.name}: ${parts.join('; ')}. Expected names: ${[...own.keys()].join(', ')}.`);
    }
    for (const [name, parameter] of own) {
      const value = state[name];
      if (isTensor(value)) {
        if (!sameShape(value.shape, parameter.shape) || value.dtype !== parameter.dtype) {
          throw new Error(`loadStateDict: '${name}' is ${value.describe()} in the state but ${parameter.describe()} in this ${this.constructor.name}.`);
        }
      } else if (value.length !== parameter.size) {
        throw new Error(`loadStateDict: '${name}' has ${value.length} values in the state, but ${formatShape(parameter.shape)} holds ${parameter.size}.`);
      }
    }
    for (const [name, parameter] of own) {
      const value = state[name];
      if (isTensor(value)) {
        if (value !== parameter) parameter.engine.copy(value, parameter);
      } else {
        parameter.write(value);
      }
    }
  }

  /** Disposes every parameter (and its gradient). */
  dispose(): void {
    for (const parameter of this.parameters()) {
      parameter.grad?.dispose();
      parameter.grad = null;
      parameter.dispose();
    }
  }

  protected addParameter(name: string, tensor: Tensor): Tensor {
    this.checkName(name);
    this.ownParameters.set(name, tensor);
    return tensor;
  }

  protected addModule<M extends Module>(name: string, module: M): M {
    this.checkName(name);
    this.children.set(name, module);
    return module;
  }

  private checkName(name: string): void {
    if (name === '' || name.includes('.')) throw new Error(`${this.constructor.name}: name '${name}' must be non-empty and contain no dot.`);
    if (this.ownParameters.has(name) || this.children.has(name)) throw new Error(`${this.constructor.name}: '${name}' is registered twice.`);
  }
}

function isTensor(value: Tensor | ArrayLike<number>): value is Tensor {
  return typeof (value as Tensor).describe === 'function' && typeof (value as Tensor).dtype === 'string';
}
