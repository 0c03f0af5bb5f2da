import { record } from '../autograd/tape.js';
import { defineKernel, perElementLaunch } from '../kernels/kernel.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import source from '../../shaders/reparameterize.wgsl';

const forwardKernel = defineKernel({ name: 'reparameterize', source, entryPoint: 'forward', bindings: ['read', 'read', 'read', 'write'] });
const gradientKernel = defineKernel({
  name: 'reparameterize:gradient',
  source,
  entryPoint: 'gradient',
  bindings: ['read', 'read', 'read', 'read', 'write', 'write'],
});
const gradientNoiseKernel = defineKernel({
  name: 'reparameterize:gradient-noise',
  source,
  entryPoint: 'gradient_noise',
  bindings: ['read', 'read', 'read', 'read', 'write'],
});

/**
 * z = mu + exp(0.5 * logvar) * eps, one fused kernel: a sample of N(mu, exp(logvar)) that gradients can
 * flow through to mu and logvar. `eps` is standard normal noise, e.g. `random.normal(mu.shape)`.
 */
export function reparameterize(mu: Tensor, logvar: Tensor, eps: Tensor): Tensor {
  const op = 'reparameterize';
  for (const [name, tensor] of [['mu', mu], ['logvar', logvar], ['eps', eps]] as const) {
    if (tensor.dtype !== 'f32') throw new Error(`${op}: ${name} ${tensor.describe()} must be f32.`);
  }
  if (!sameShape(mu.shape, logvar.shape) || !sameShape(mu.shape, eps.shape)) {
    throw new Error(
      `${op}: mu ${formatShape(mu.shape)}, logvar ${formatShape(logvar.shape)} and eps ${formatShape(eps.shape)} must have the same shape.`,
    );
  }
  const engine = mu.engine;
  const z = engine.empty(mu.shape);
  const launch = perElementLaunch(z.size);
  engine.dispatch(forwardKernel, launch.constants, [mu, logvar, eps, z], launch.workgroups);

  return record(op, [mu, logvar, eps], z, (gradZ, needed) => {
    let gradMu: Tensor | null = null;
    let gradLogvar: Tensor | null = null;
    let gradEps: Tensor | null = null;
    if (needed[0] || needed[1]) {
      gradMu = engine.empty(mu.shape);
      gradLogvar = engine.empty(logvar.shape);
      engine.dispatch(gradientKernel, launch.constants, [mu, logvar, eps, gradZ, gradMu, gradLogvar], launch.workgroups);
      if (!needed[0]) {
        gradMu.dispose();
        gradMu = null;
      }
      if (!needed[1]) {
        gradLogvar.dispose();
        gradLogvar = null;
      }
    }
    if (needed[2]) {
      gradEps = engine.empty(eps.shape);
      engine.dispatch(gradientNoiseKernel, launch.constants, [mu, logvar, eps, gradZ, gradEps], launch.workgroups);
    }
    return [gradMu, gradLogvar, gradEps];
  });
}
