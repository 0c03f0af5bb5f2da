import type { PooledBuffer } from './buffer-pool.js';
import type { BufferHandle, Command } from './commands.js';
import { PlannedBuffer } from './planned-buffer.js';

/**
 * Buffer planning for a captured step. A step records every command before any of it runs, so each
 * intermediate's lifetime is known exactly: from the first command that binds it to the last. Dispatches of
 * one submit run in order and each sees the storage writes of the ones before, so two intermediates whose
 * lifetimes do not overlap can live in one buffer, the later one's first writer running after the earlier
 * one's last reader.
 */

/** What planning did to one captured step, for `engine.memory()`. */
export interface BufferPlanReport {
  /** Intermediates placed by the plan, and their bytes with a buffer each (as without planning). */
  intermediates: number;
  intermediateBytes: number;
  /** The buffers they share, and their bytes. */
  buffers: number;
  bufferBytes: number;
  /** The most bytes of intermediates alive at one command: no plan could use fewer. */
  mostBytesAlive: number;
}

/** An intermediate's lifetime: the indices of the first and last commands that use it. */
export interface Lifetime {
  readonly tenant: PlannedBuffer;
  readonly first: number;
  readonly last: number;
}

interface SharedBuffer {
  /** The largest tenant's byte length: the buffer is made for it. */
  readonly byteLength: number;
  readonly capacity: number;
  readonly lifetimes: Lifetime[];
}

/**
 * Places every planned buffer of a capture: those still held when the capture ends (the step's outputs,
 * what the caller kept) get a buffer each, since their contents outlive the step; those released share
 * buffers by lifetime; pinned ones stay where they are; one that no command uses needs none. `allocate`
 * hands out a pool buffer of at least the bytes asked.
 */
export function planBuffers(commands: readonly Command[], planned: readonly PlannedBuffer[], allocate: (byteLength: number) => PooledBuffer): BufferPlanReport {
  const released = new Set<PlannedBuffer>();
  for (const buffer of planned) {
    if (buffer.placed) continue;
    if (buffer.released) released.add(buffer);
    else buffer.place(allocate(buffer.byteLength));
  }
  // A released buffer that no command uses has no lifetime, and needs no buffer at all.
  const lifetimes = lifetimesOf(commands, released);
  const intermediates = lifetimes.map(({ tenant }) => tenant);
  const shared = shareByLifetime(lifetimes);
  for (const group of shared) {
    const physical = allocate(group.byteLength);
    for (const { tenant } of group.lifetimes) tenant.place(physical);
  }
  return {
    intermediates: intermediates.length,
    intermediateBytes: intermediates.reduce((bytes, buffer) => bytes + buffer.capacity, 0),
    buffers: shared.length,
    bufferBytes: shared.reduce((bytes, group) => bytes + group.capacity, 0),
    mostBytesAlive: mostBytesAlive(lifetimes),
  };
}

/** The most bytes of `lifetimes` alive at one command (a sweep over their starts and ends). */
function mostBytesAlive(lifetimes: readonly Lifetime[]): number {
  const changes = new Map<number, number>();
  for (const { tenant, first, last } of lifetimes) {
    changes.set(first, (changes.get(first) ?? 0) + tenant.capacity);
    changes.set(last + 1, (changes.get(last + 1) ?? 0) - tenant.capacity);
  }
  let alive = 0;
  let most = 0;
  for (const [, change] of [...changes].sort((a, b) => a[0] - b[0])) {
    alive += change;
    most = Math.max(most, alive);
  }
  return most;
}

/** The lifetime of each of `tenants` over `commands`, in order of first use. */
export function lifetimesOf(commands: readonly Command[], tenants: ReadonlySet<PlannedBuffer>): Lifetime[] {
  const first = new Map<PlannedBuffer, number>();
  const last = new Map<PlannedBuffer, number>();
  forEachUse(commands, (tenant, index) => {
    if (!tenants.has(tenant)) return;
    if (!first.has(tenant)) first.set(tenant, index);
    last.set(tenant, index);
  });
  return [...first].map(([tenant, start]) => ({ tenant, first: start, last: last.get(tenant)! }));
}

/**
 * Groups lifetimes into shared buffers, greedy by size (as in Pisarchyk and Lee, "Efficient memory
 * management for deep neural net inference", 2020): the largest tenants are placed first, each in the
 * smallest buffer already made whose tenants it does not overlap, else in a new buffer of its own size.
 * Buffers are made for the largest tenant, so every later one fits.
 */
export function shareByLifetime(lifetimes: readonly Lifetime[]): SharedBuffer[] {
  const bySize = [...lifetimes].sort((a, b) => b.tenant.capacity - a.tenant.capacity || a.first - b.first);
  const shared: SharedBuffer[] = [];
  for (const lifetime of bySize) {
    let best: SharedBuffer | null = null;
    for (const candidate of shared) {
      if (best && candidate.capacity >= best.capacity) continue;
      if (candidate.lifetimes.every((other) => other.last < lifetime.first || lifetime.last < other.first)) best = candidate;
    }
    if (best) best.lifetimes.push(lifetime);
    else shared.push({ byteLength: lifetime.tenant.byteLength, capacity: lifetime.tenant.capacity, lifetimes: [lifetime] });
  }
  return shared;
}

/**
 * Replays the plan over the commands and throws if any command would see another intermediate's data: a
 * buffer given to a second tenant while the first is still to be used, or two tenants of one buffer bound
 * by the same command. Planning runs it on every capture; it costs one pass over the bindings.
 */
export function checkBufferPlan(commands: readonly Command[]): void {
  const lastUser = new Map<PooledBuffer, { tenant: PlannedBuffer; command: number }>();
  const seen = new Set<PlannedBuffer>();
  commands.forEach((command, index) => {
    const tenantsHere = new Map<PooledBuffer, PlannedBuffer>();
    for (const tenant of plannedHandles(command)) {
      if (!tenant.placed) continue;
      const physical = tenant.physical;
      const sharer = tenantsHere.get(physical);
      if (sharer && sharer !== tenant) {
        throw new Error(`capture: buffer plan hazard: '${labelOf(command)}' (command ${index}) binds ${sharer.what} and ${tenant.what}, which the plan put in one buffer.`);
      }
      tenantsHere.set(physical, tenant);
      const holder = lastUser.get(physical);
      if (seen.has(tenant) && holder && holder.tenant !== tenant) {
        throw new Error(
          `capture: buffer plan hazard: '${labelOf(command)}' (command ${index}) uses ${tenant.what}, but '${labelOf(commands[holder.command]!)}' ` +
            `(command ${holder.command}) has put ${holder.tenant.what} in the same buffer since. Capture with { planBuffers: false } and report this.`,
        );
      }
    }
    for (const [physical, tenant] of tenantsHere) {
      lastUser.set(physical, { tenant, command: index });
      seen.add(tenant);
    }
  });
}

/** Calls `use` for every planned buffer each command binds or copies, with the command's index. */
function forEachUse(commands: readonly Command[], use: (tenant: PlannedBuffer, index: number) => void): void {
  commands.forEach((command, index) => {
    for (const tenant of plannedHandles(command)) use(tenant, index);
  });
}

function plannedHandles(command: Command): PlannedBuffer[] {
  const handles: BufferHandle[] = command.kind === 'dispatch' ? command.bindings.map((binding) => binding.pooled) : [command.source, command.destination];
  return handles.filter((handle): handle is PlannedBuffer => handle instanceof PlannedBuffer);
}

function labelOf(command: Command): string {
  return command.kind === 'dispatch' ? command.label : 'copy';
}
