import type { PooledBuffer } from './buffer-pool.js';

let nextPlannedId = 1;

/**
 * The storage of a tensor made while a step is captured. No GPU buffer is chosen for it while the step
 * records: when the capture ends, the plan (buffer-plan.ts) places it in a buffer that intermediates whose
 * lifetimes do not overlap share. Whatever needs its GPU buffer earlier (an upload, `engine.tensor`, inside
 * the step) gets a buffer of its own at once, and the plan leaves it there.
 */
export class PlannedBuffer implements PooledBuffer {
  /** Its own numbering, never a pool buffer's id: caches key on the placed buffer (`physicalBuffer`). */
  readonly id = nextPlannedId++;
  owner: object | null;
  /** Set when its tensor is disposed: a tensor still alive when the capture ends keeps a buffer of its own. */
  released = false;
  /** Set when something needed its GPU buffer before the plan: it then keeps that buffer. */
  pinned = false;
  private placement: PooledBuffer | null = null;

  constructor(
    /** Bytes its tensor binds. */
    readonly byteLength: number,
    /** Bytes a buffer of its own would have (its size class). */
    readonly capacity: number,
    /** Its tensor, for messages: shape and dtype. */
    readonly what: string,
    owner: object,
    /** A buffer of its own, now: for an upload during the capture. */
    private readonly allocateNow: (byteLength: number) => PooledBuffer,
  ) {
    this.owner = owner;
  }

  get placed(): boolean {
    return this.placement !== null;
  }

  /** Where the plan put it. */
  place(physical: PooledBuffer): void {
    if (this.placement) throw new Error(`internal: ${this.what} was placed twice.`);
    this.placement = physical;
  }

  /** The buffer it lives in; asking before the plan pins it to a buffer of its own. */
  get physical(): PooledBuffer {
    if (!this.placement) {
      this.placement = this.allocateNow(this.byteLength);
      this.pinned = true;
    }
    return this.placement;
  }

  get buffer(): GPUBuffer {
    return this.physical.buffer;
  }
}

/** The pool buffer that really holds `pooled` (itself, unless it is a planned buffer). */
export function physicalBuffer(pooled: PooledBuffer): PooledBuffer {
  return pooled instanceof PlannedBuffer ? pooled.physical : pooled;
}

/** Whether `pooled` is a planned buffer the plan has not placed yet. */
export function awaitsPlacement(pooled: PooledBuffer): boolean {
  return pooled instanceof PlannedBuffer && !pooled.placed;
}
