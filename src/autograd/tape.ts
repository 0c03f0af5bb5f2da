import type { Tensor } from '../tensor/tensor.js';
import type { OpName } from './op-names.js';
import { formatShape, sameShape } from '../tensor/shape.js';
// The tape builds on the gradient-free launchers below it (src/launch/), never on the differentiable
// ops above it, which all import `record` from here.
import { binary } from '../launch/binary.js';
import { copy, fill } from '../launch/fill.js';

/**
 * One recorded op: the tensors it read and the rule that turns the gradient of its output into
 * gradients of its inputs. Ops create nodes next to their forward code, so that an op's forward and
 * its gradient are read together.
 */
export interface TapeNode {
  /** Position on the tape: a node is always recorded after the nodes of its inputs. */
  readonly sequence: number;
  readonly op: OpName;
  readonly inputs: readonly Tensor[];
  /**
   * Gradients of the inputs given the gradient of the output; entries for inputs whose `needed` flag is
   * false may be null. Runs with gradient recording off.
   */
  readonly backward: (gradOutput: Tensor, needed: readonly boolean[]) => readonly (Tensor | null)[];
}

let nextSequence = 1;

/**
 * Records `output = op(inputs)` on the tape when gradients are on and any input needs one. Call it
 * from each op right after its forward dispatch, with the op's gradient rule.
 */
export function record(op: OpName, inputs: readonly Tensor[], output: Tensor, backward: TapeNode['backward']): Tensor {
  if (!output.engine.gradEnabled || !inputs.some((input) => input.requiresGrad)) return output;
  output.requiresGrad = true;
  output.node = { sequence: nextSequence++, op, inputs, backward };
  return output;
}

/**
 * Reverse-mode differentiation from `loss` (a one-element tensor, or any tensor with `gradOutput`).
 * Leaf tensors that require gradients get them added to `.grad` (kept beyond any scope; clear them with
 * `zeroGrad`). The graph behind `loss` is released afterwards.
 */
export function backward(loss: Tensor, gradOutput?: Tensor): void {
  const engine = loss.engine;
  if (!loss.requiresGrad) {
    throw new Error(
      `backward: ${loss.describe()} does not depend on any tensor that requires a gradient (were the parameters frozen, or was it computed under noGrad?).`,
    );
  }
  if (gradOutput && !sameShape(gradOutput.shape, loss.shape)) {
    throw new Error(`backward: gradOutput ${formatShape(gradOutput.shape)} must have the shape of the loss ${formatShape(loss.shape)}.`);
  }
  if (!gradOutput && loss.size !== 1) {
    throw new Error(`backward: loss ${loss.describe()} has ${loss.size} elements; pass gradOutput, or reduce it to one element first (mean or sum).`);
  }

  engine.noGrad(() => {
    const nodes = collectNodes(loss);
    const grads = new Map<Tensor, Tensor>();
    grads.set(loss, gradOutput ?? fill(engine, loss.shape, 1));

    for (const tensor of nodes) {
      const node = tensor.node!;
      const gradient = grads.get(tensor);
      if (!gradient) continue;
      const needed = node.inputs.map((input) => input.requiresGrad);
      const inputGrads = node.backward(gradient, needed);
      node.inputs.forEach((input, index) => {
        const inputGrad = inputGrads[index];
        if (!needed[index] || !inputGrad) return;
        if (!sameShape(inputGrad.shape, input.shape)) {
          throw new Error(
            `backward of '${node.op}': gradient ${formatShape(inputGrad.shape)} does not match input ${formatShape(input.shape)} (a bug in the op's gradient rule).`,
          );
        }
        const previous = grads.get(input);
        grads.set(input, previous ? binary('add', previous, inputGrad) : inputGrad);
      });
    }

    // A gradient tensor may be shared (an add passes its gradient to both inputs); each leaf owns its own.
    const owned = new Set<Tensor>();
    for (const [tensor, gradient] of grads) {
      if (tensor.node || !tensor.requiresGrad) continue;
      const mine = owned.has(gradient) || gradient === gradOutput ? copy(gradient) : gradient;
      owned.add(mine);
      const total = tensor.grad ? binary('add', tensor.grad, mine) : mine;
      if (tensor.grad && tensor.grad !== total) tensor.grad.dispose();
      tensor.grad = engine.keep(total);
    }
    for (const tensor of nodes) tensor.node = null;
  });
}

/** Every tensor with a node behind `root`, latest first: the tape read backwards. */
function collectNodes(root: Tensor): Tensor[] {
  const seen = new Set<Tensor>();
  const stack = [root];
  while (stack.length > 0) {
    const tensor = stack.pop()!;
    if (seen.has(tensor) || !tensor.node) continue;
    seen.add(tensor);
    for (const input of tensor.node.inputs) stack.push(input);
  }
  return [...seen].sort((a, b) => b.node!.sequence - a.node!.sequence);
}
