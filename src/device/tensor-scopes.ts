import { Tensor } from '../tensor/tensor.js';

/**
 * `engine.scope(fn)`: every tensor made inside `fn` is disposed when it returns, except what it returns,
 * which moves to the enclosing scope. Scopes nest; a tensor made outside any scope lives until disposed.
 */
export class TensorScopes {
  private readonly stack: Set<Tensor>[] = [];

  /** Puts a new tensor in the innermost scope, if any. */
  adopt(tensor: Tensor): void {
    this.stack.at(-1)?.add(tensor);
  }

  /** Takes `tensor` out of every scope, so it lives until disposed by hand. */
  keep(tensor: Tensor): void {
    for (const scope of this.stack) scope.delete(tensor);
  }

  run<T>(fn: () => T): T {
    const made = new Set<Tensor>();
    this.stack.push(made);
    let result: T;
    try {
      result = fn();
    } catch (error) {
      for (const tensor of made) tensor.dispose();
      throw error;
    } finally {
      this.stack.pop();
    }
    if (result instanceof Promise) {
      throw new Error('engine.scope: the function returned a Promise; scopes track synchronous work only (await outside the scope).');
    }
    const survivors = new Set(collectTensors(result));
    for (const tensor of made) {
      if (survivors.has(tensor)) this.adopt(tensor);
      else tensor.dispose();
    }
    return result;
  }
}

/** Finds the tensors in a scope's or capture's result: a tensor, or arrays and plain objects of them. */
export function collectTensors(value: unknown, found: Tensor[] = []): Tensor[] {
  if (value instanceof Tensor) found.push(value);
  else if (Array.isArray(value)) for (const item of value) collectTensors(item, found);
  else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) collectTensors(item, found);
  }
  return found;
}
