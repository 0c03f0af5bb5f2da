import type { TunableDispatch } from '../tuning/tuner.js';
import type { BindingAccess } from '../kernels/kernel.js';
import type { PooledBuffer } from './buffer-pool.js';

/**
 * The engine records GPU work as plain commands first and encodes them later. Eager mode encodes and
 * submits them at the next flush; a captured step keeps the list and encodes the same list again on
 * every replay, so eager and replayed steps run exactly the same dispatches.
 */

export interface DispatchCommand {
  kind: 'dispatch';
  label: string;
  pipeline: GPUComputePipeline;
  /** What the kernel binds, in binding order, and how it uses each (a captured step's plan reads this). */
  bindings: readonly BoundBuffer[];
  layout: GPUBindGroupLayout;
  /** Made when the dispatch is recorded, or, inside a captured step, once its buffers are planned. */
  bindGroup: GPUBindGroup | undefined;
  workgroups: readonly [number, number, number];
  /**
   * Set on a dispatch whose kernel the tuner chooses: which candidate it runs and as of which tuner
   * generation, so that a later pick can re-point it (pipeline, grid, label) before it is encoded.
   * All candidates share one bind group layout, so the bind group stays.
   */
  tuned?: { tunable: TunableDispatch; variant: string; generation: number };
}

/** A buffer bound to a dispatch: `byteLength` of it, used as the kernel's binding says. */
export interface BoundBuffer {
  readonly pooled: PooledBuffer;
  readonly byteLength: number;
  readonly access: BindingAccess;
}

/** Anything holding a GPU buffer; resolved when encoded, so a planned buffer may be placed after recording. */
export interface BufferHandle {
  readonly buffer: GPUBuffer;
}

export interface CopyCommand {
  kind: 'copy';
  source: BufferHandle;
  destination: BufferHandle;
  byteLength: number;
  /** Byte offset into the destination (a multiple of 4); 0 when absent. */
  destinationOffset?: number;
}

export type Command = DispatchCommand | CopyCommand;

/** Gives a dispatch the timestamp writes of a pass of its own (see Profiler); none when not profiling. */
export type TimestampSource = (dispatch: DispatchCommand) => GPUComputePassTimestampWrites | undefined;

/**
 * Encodes commands into one command buffer: consecutive dispatches share one compute pass, except when
 * profiling, where each dispatch that gets timestamps has its own.
 */
export function encodeCommands(device: GPUDevice, commands: readonly Command[], label: string, timestamps?: TimestampSource): GPUCommandBuffer {
  const encoder = device.createCommandEncoder({ label });
  let pass: GPUComputePassEncoder | null = null;
  for (const command of commands) {
    if (command.kind === 'dispatch') {
      const timestampWrites = timestamps?.(command);
      if (timestampWrites) {
        pass?.end();
        const timedPass = encoder.beginComputePass({ label: command.label, timestampWrites });
        timedPass.setPipeline(command.pipeline);
        timedPass.setBindGroup(0, boundGroup(command));
        timedPass.dispatchWorkgroups(command.workgroups[0], command.workgroups[1], command.workgroups[2]);
        timedPass.end();
        pass = null;
        continue;
      }
      pass ??= encoder.beginComputePass({ label });
      pass.setPipeline(command.pipeline);
      pass.setBindGroup(0, boundGroup(command));
      pass.dispatchWorkgroups(command.workgroups[0], command.workgroups[1], command.workgroups[2]);
    } else {
      if (pass) {
        pass.end();
        pass = null;
      }
      encoder.copyBufferToBuffer(command.source.buffer, 0, command.destination.buffer, command.destinationOffset ?? 0, command.byteLength);
    }
  }
  pass?.end();
  return encoder.finish();
}

function boundGroup(command: DispatchCommand): GPUBindGroup {
  if (!command.bindGroup) throw new Error(`internal: dispatch '${command.label}' was encoded before its buffers were planned.`);
  return command.bindGroup;
}
