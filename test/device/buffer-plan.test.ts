import { describe, expect, it } from 'vitest';
import { sizeClass, type PooledBuffer } from '../../src/device/buffer-pool.js';
import { checkBufferPlan, lifetimesOf, planBuffers } from '../../src/device/buffer-plan.js';
import type { Command, DispatchCommand } from '../../src/device/commands.js';
import { PlannedBuffer } from '../../src/device/planned-buffer.js';
import type { BindingAccess } from '../../src/kernels/kernel.js';
import { seededUniform } from '../../src/random/seeded.js';

// The planner works on recorded commands only, so these tests make commands by hand: no GPU needed.

let nextPoolId = 1;
function poolBuffer(byteLength: number): PooledBuffer {
  return { id: nextPoolId++, buffer: { label: `pool #${nextPoolId}` } as unknown as GPUBuffer, capacity: sizeClass(byteLength), owner: null };
}

const recording = {};
function tensor(byteLength: number, what: string, released = true): PlannedBuffer {
  const planned = new PlannedBuffer(byteLength, sizeClass(byteLength), what, recording, poolBuffer);
  planned.released = released;
  return planned;
}

/** One dispatch reading `reads` and writing `writes`. */
function kernel(label: string, reads: readonly PooledBuffer[], writes: readonly PooledBuffer[]): DispatchCommand {
  const bind = (access: BindingAccess) => (pooled: PooledBuffer) => ({ pooled, byteLength: pooled instanceof PlannedBuffer ? pooled.byteLength : pooled.capacity, access });
  return {
    kind: 'dispatch',
    label,
    pipeline: {} as GPUComputePipeline,
    layout: {} as GPUBindGroupLayout,
    bindGroup: undefined,
    bindings: [...reads.map(bind('read')), ...writes.map(bind('write'))],
    workgroups: [1, 1, 1],
  };
}

function allocator() {
  const made: PooledBuffer[] = [];
  return {
    made,
    allocate: (byteLength: number) => {
      const pooled = poolBuffer(byteLength);
      made.push(pooled);
      return pooled;
    },
  };
}

describe('buffer planning of a captured step', () => {
  it('lets a chain of intermediates share two buffers, each written after the last read of the one before', () => {
    const input = poolBuffer(4000);
    const chain = Array.from({ length: 6 }, (_, i) => tensor(4000, `h${i}`));
    const output = tensor(4, 'loss', false);
    const commands: Command[] = chain.map((h, i) => kernel(`layer ${i}`, [i === 0 ? input : chain[i - 1]!], [h]));
    commands.push(kernel('loss', [chain[5]!], [output]));
    const { allocate, made } = allocator();
    const report = planBuffers(commands, [...chain, output], allocate);
    expect(report).toEqual({ intermediates: 6, intermediateBytes: 6 * sizeClass(4000), buffers: 2, bufferBytes: 2 * sizeClass(4000), mostBytesAlive: 2 * sizeClass(4000) });
    // Neighbours never share; every other one does.
    for (let i = 1; i < 6; i++) expect(chain[i]!.physical).not.toBe(chain[i - 1]!.physical);
    expect(new Set(chain.map((h) => h.physical)).size).toBe(2);
    // The output, still held when the capture ends, has a buffer of its own.
    expect(made).toContain(output.physical);
    expect(chain.map((h) => h.physical)).not.toContain(output.physical);
    expect(() => checkBufferPlan(commands)).not.toThrow();
  });

  it('keeps what is still held, what was pinned, and what no command uses out of the sharing', () => {
    const kept = tensor(256, 'kept', false);
    const pinned = tensor(256, 'uploaded');
    const pinnedBuffer = pinned.physical; // an upload inside the capture asked for it
    const unused = tensor(256, 'unused');
    const temporary = tensor(256, 'temporary');
    const commands = [kernel('a', [pinned], [temporary]), kernel('b', [temporary], [kept])];
    const { allocate } = allocator();
    const report = planBuffers(commands, [kept, pinned, unused, temporary], allocate);
    expect(report.intermediates).toBe(1);
    expect(pinned.pinned).toBe(true);
    expect(pinned.physical).toBe(pinnedBuffer);
    expect(unused.placed).toBe(false);
    expect(new Set([kept.physical, pinned.physical, temporary.physical]).size).toBe(3);
  });

  it('places the largest tenants first; a smaller one moves into a larger one\'s buffer once that is free', () => {
    const big = tensor(1 << 20, 'big');
    const medium = tensor(1 << 16, 'medium');
    const small = tensor(1 << 12, 'small');
    // big lives over commands 0-1, medium over 0-3, small over 2-3: small fits where big was.
    const sink = poolBuffer(4);
    const commands = [kernel('0', [], [big, medium]), kernel('1', [big], [sink]), kernel('2', [medium], [small]), kernel('3', [small, medium], [sink])];
    const { allocate } = allocator();
    const report = planBuffers(commands, [big, medium, small], allocate);
    expect(report.buffers).toBe(2);
    expect(small.physical).toBe(big.physical);
    expect(lifetimesOf(commands, new Set([big, medium, small])).map(({ tenant, first, last }) => [tenant.what, first, last])).toEqual([
      ['big', 0, 1],
      ['medium', 0, 3],
      ['small', 2, 3],
    ]);
  });

  it('never shares a buffer between the reader and the writer of one command', () => {
    const a = tensor(1024, 'a');
    const b = tensor(1024, 'b');
    const sink = poolBuffer(4);
    // a is last read by the command that first writes b: their lifetimes touch, so they may not share.
    const commands = [kernel('make a', [], [a]), kernel('a to b', [a], [b]), kernel('use b', [b], [sink])];
    planBuffers(commands, [a, b], allocator().allocate);
    expect(a.physical).not.toBe(b.physical);
  });

  it('catches a planted hazard: a buffer handed to a second tensor while the first is still to be read', () => {
    const a = tensor(1024, '[256] f32 activations');
    const b = tensor(1024, '[256] f32 scratch');
    const sink = poolBuffer(4);
    const commands = [kernel('forward', [], [a]), kernel('scratch', [], [b]), kernel('backward', [a], [sink]), kernel('use scratch', [b], [sink])];
    // The plan would keep them apart (their lifetimes overlap); plant the mistake by hand.
    const shared = poolBuffer(1024);
    a.place(shared);
    b.place(shared);
    expect(() => checkBufferPlan(commands)).toThrow(
      "capture: buffer plan hazard: 'backward' (command 2) uses [256] f32 activations, but 'scratch' (command 1) has put [256] f32 scratch in the same buffer since.",
    );
  });

  it('catches a planted hazard: two tenants of one buffer bound by the same command', () => {
    const a = tensor(1024, 'a');
    const b = tensor(1024, 'b');
    const shared = poolBuffer(1024);
    a.place(shared);
    b.place(shared);
    expect(() => checkBufferPlan([kernel('add', [a], [b])])).toThrow("'add' (command 0) binds a and b, which the plan put in one buffer");
  });

  it('plans random steps safely: no hazard, never more buffers than tensors, never fewer bytes than are alive at once', () => {
    const random = seededUniform(11);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    for (let trial = 0; trial < 200; trial++) {
      const sizes = [4, 100, 784, 1000, 4000, 33 * 4, 1 << 16];
      const made: PlannedBuffer[] = [];
      const alive: PlannedBuffer[] = [poolBuffer(4) as unknown as PlannedBuffer];
      const commands: Command[] = [];
      const count = 5 + Math.floor(random() * 60);
      for (let i = 0; i < count; i++) {
        const output = tensor(pick(sizes), `t${i}`, random() < 0.9);
        made.push(output);
        const reads = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(alive));
        commands.push(random() < 0.1 ? { kind: 'copy', source: reads[0]!, destination: output, byteLength: 4 } : kernel(`k${i}`, [...new Set(reads)], [output]));
        alive.push(output);
        if (alive.length > 6) alive.splice(Math.floor(random() * alive.length), 1);
      }
      const report = planBuffers(commands, made, allocator().allocate);
      expect(() => checkBufferPlan(commands)).not.toThrow();
      expect(report.buffers).toBeLessThanOrEqual(report.intermediates);
      // The most bytes of released tensors alive at one command: no plan can use less.
      const lifetimes = lifetimesOf(commands, new Set(made.filter((buffer) => buffer.released)));
      let mostAlive = 0;
      commands.forEach((_, index) => {
        const bytes = lifetimes.filter(({ first, last }) => first <= index && index <= last).reduce((sum, { tenant }) => sum + tenant.capacity, 0);
        mostAlive = Math.max(mostAlive, bytes);
      });
      expect(report.mostBytesAlive).toBe(mostAlive);
      expect(report.bufferBytes).toBeGreaterThanOrEqual(mostAlive);
      expect(report.bufferBytes).toBeLessThanOrEqual(report.intermediateBytes);
    }
  });
});
