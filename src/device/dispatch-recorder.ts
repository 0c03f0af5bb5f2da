import { Tensor } from '../tensor/tensor.js';
import type { KernelConstants, KernelDefinition, KernelLaunch } from '../kernels/kernel.js';
import type { TunableDispatch, Tuner } from '../tuning/tuner.js';
import type { BoundBuffer, Command, DispatchCommand } from './commands.js';
import { awaitsPlacement } from './planned-buffer.js';
import type { PipelineCache } from './pipeline-cache.js';
import { BindGroupCache } from './bind-groups.js';
import type { UniformBlock } from './device-memory.js';
import type { SubmissionQueue } from './submission-queue.js';

/**
 * Turns an op's kernel launch into a recorded dispatch: checks the bindings and the grid, finds the
 * cached pipeline and bind group, and queues the command. Tunable dispatches record which candidate they
 * run, so that a later pick of the tuner can re-point them, captured steps included.
 */
export class DispatchRecorder {
  private readonly bindGroups: BindGroupCache;

  constructor(
    device: GPUDevice,
    private readonly queue: SubmissionQueue,
    private readonly pipelines: PipelineCache,
    readonly tuner: Tuner,
    private readonly maxWorkgroupsPerDimension: number,
  ) {
    this.bindGroups = new BindGroupCache(device);
  }

  dispatch(kernel: KernelDefinition, constants: KernelConstants, bindings: readonly (Tensor | UniformBlock)[], workgroups: readonly [number, number, number]): DispatchCommand {
    if (bindings.length !== kernel.bindings.length) {
      throw new Error(`kernel '${kernel.name}' takes ${kernel.bindings.length} bindings, got ${bindings.length}.`);
    }
    const maxGroups = this.maxWorkgroupsPerDimension;
    if (workgroups.some((count) => !Number.isInteger(count) || count < 1 || count > maxGroups)) {
      throw new Error(`kernel '${kernel.name}': workgroup counts [${workgroups.join(', ')}] must be whole numbers from 1 to ${maxGroups}.`);
    }
    const bound: BoundBuffer[] = bindings.map((binding, index) => {
      if (binding instanceof Tensor && binding.disposed) {
        throw new Error(`kernel '${kernel.name}': binding ${index}, tensor ${binding.describe()}, was used after dispose(). Keep it alive (engine.keep, or return it from the scope) while it is needed.`);
      }
      return { pooled: binding.pooled, byteLength: binding.byteLength, access: kernel.bindings[index]! };
    });
    const { pipeline, layout } = this.pipelines.pipeline(kernel, constants);
    const command: DispatchCommand = { kind: 'dispatch', label: kernel.name, pipeline, bindings: bound, layout, bindGroup: undefined, workgroups };
    // Inside a capture that plans its buffers, the bind group waits until the plan has placed them.
    if (!bound.some((binding) => awaitsPlacement(binding.pooled))) command.bindGroup = this.bindGroups.get(layout, bound, kernel.name);
    this.queue.record(command);
    return command;
  }

  /** Makes the bind groups that waited for a captured step's buffer plan. */
  bindPlanned(commands: readonly Command[]): void {
    for (const command of commands) {
      if (command.kind === 'dispatch' && !command.bindGroup) command.bindGroup = this.bindGroups.get(command.layout, command.bindings, command.label);
    }
  }

  /** A dispatch of the tuner's pick for `tunable`: its fallback until the candidates are measured. */
  dispatchTuned(tunable: TunableDispatch, bindings: readonly (Tensor | UniformBlock)[]): void {
    const launch = this.tuner.choose(tunable);
    const command = this.dispatch(launch.kernel, launch.constants, bindings, launch.workgroups);
    command.tuned = { tunable, variant: launch.variant, generation: this.tuner.generation };
  }

  /** Measures the tunable dispatches recorded since the last measurement; pending work then uses the picks. */
  async tune(): Promise<void> {
    if (!this.tuner.hasPending) return;
    await this.tuner.measurePending();
    this.retarget(this.queue.pending);
  }

  /**
   * Points recorded tunable dispatches at the tuner's current picks: pipeline, grid and label change, the
   * bind group stays (every candidate shares one layout). Cheap when no pick changed since a command was
   * last pointed: its generation then matches the tuner's.
   */
  retarget(commands: readonly Command[]): void {
    const generation = this.tuner.generation;
    for (const command of commands) {
      if (command.kind !== 'dispatch' || !command.tuned || command.tuned.generation === generation) continue;
      const launch: KernelLaunch = this.tuner.choose(command.tuned.tunable);
      if (launch.variant !== command.tuned.variant) {
        command.pipeline = this.pipelines.pipeline(launch.kernel, launch.constants).pipeline;
        command.workgroups = launch.workgroups;
        command.label = launch.kernel.name;
      }
      command.tuned = { ...command.tuned, variant: launch.variant, generation };
    }
  }
}
