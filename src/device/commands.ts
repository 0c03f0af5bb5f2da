import type { TunableDispatch } from '../tuning/tuner.js';

/**
 * The engine records GPU work as plain commands first and encodes them later. Eager mode encodes and
 * submits them at the next flush; a captured step keeps the list and encodes the same list again on
 * every replay, so eager and replayed steps run exactly the same dispatches.
 */

export interface DispatchCommand {
  kind: 'dispatch';
  label: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: readonly [number, number, number];
  /**
   * Set on a dispatch whose kernel the tuner chooses: which candidate it runs and as of which tuner
   * generation, so that a later pick can re-point it (pipeline, grid, label) before it is encoded.
   * All candidates share one bind group layout, so the bind group stays.
   */
  tuned?: { tunable: TunableDispatch; variant: string; generation: number };
}

export interface CopyCommand {
  kind: 'copy';
  source: GPUBuffer;
  destination: GPUBuffer;
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
        timedPass.setBindGroup(0, command.bindGroup);
        timedPass.dispatchWorkgroups(command.workgroups[0], command.workgroups[1], command.workgroups[2]);
        timedPass.end();
        pass = null;
        continue;
      }
      pass ??= encoder.beginComputePass({ label });
      pass.setPipeline(command.pipeline);
      pass.setBindGroup(0, command.bindGroup);
      pass.dispatchWorkgroups(command.workgroups[0], command.workgroups[1], command.workgroups[2]);
    } else {
      if (pass) {
        pass.end();
        pass = null;
      }
      encoder.copyBufferToBuffer(command.source, 0, command.destination, command.destinationOffset ?? 0, command.byteLength);
    }
  }
  pass?.end();
  return encoder.finish();
}
