import { defineKernel, perElementLaunch } from '../kernels/kernel.js';
import { wgslWithCodes } from '../kernels/wgsl-library.js';
import type { Tensor } from '../tensor/tensor.js';
import numericsGuardSource from '../../shaders/numerics-guard.wgsl';

export type Domain = 'nonNegative' | 'nonZero' | 'finite';

/** DOMAIN codes of shaders/numerics-guard.wgsl (which names them DOMAIN_NON_NEGATIVE, ...). */
const DOMAIN_CODES: Record<Domain, number> = { nonNegative: 0, nonZero: 1, finite: 2 };
// Its label is how a captured step knows it holds checks (src/device/captured-step.ts).
export const GUARD_KERNEL = 'numerics-guard';

const checkKernel = defineKernel({ name: GUARD_KERNEL, source: wgslWithCodes(numericsGuardSource, 'DOMAIN', DOMAIN_CODES), bindings: ['read', 'write'] });
const EXPLANATIONS: Record<Domain, string> = {
  nonNegative: 'negative or NaN values',
  nonZero: 'zeros or non-finite values',
  finite: 'NaN or infinite values',
};
const MAX_SLOTS = 64;

interface Slot {
  op: string;
  what: string;
  domain: Domain;
  advice: string;
}

/**
 * Checks op inputs on the GPU (log of a negative number, division by zero) without a readback: a tiny
 * kernel counts offending elements into a per-call-site slot, and the engine looks at the counts when
 * it next reads something back anyway, then throws an error naming the op and the input.
 */
export class NumericsGuard {
  private readonly slots: Slot[] = [];
  private readonly slotIndex = new Map<string, number>();
  /** Call sites past the first MAX_SLOTS - 1 share the last slot; these are their descriptions. */
  private readonly sharedSites = new Set<string>();
  /** Whether any check was recorded since the counts were last looked at. */
  dirty = false;

  constructor(readonly flags: Tensor) {}

  static readonly byteLength = MAX_SLOTS * 4;

  /** Records a check that every element of `input` lies in `domain`; `advice` says how to fix it. */
  check(op: string, input: Tensor, domain: Domain, advice: string): void {
    const key = `${op}|${input.describe()}|${domain}`;
    let slot = this.slotIndex.get(key);
    if (slot === undefined) {
      slot = Math.min(this.slots.length, MAX_SLOTS - 1);
      if (this.slots.length < MAX_SLOTS) this.slots.push({ op, what: input.describe(), domain, advice });
      if (slot === MAX_SLOTS - 1) this.sharedSites.add(`${op} of ${input.describe()}`);
      this.slotIndex.set(key, slot);
    }
    const launch = perElementLaunch(input.size);
    input.engine.dispatch(checkKernel, { ...launch.constants, SLOT: slot, DOMAIN: DOMAIN_CODES[domain] }, [input, this.flags], launch.workgroups);
    this.dirty = true;
  }

  /**
   * Called by every read of `tensor`: returns the flags when their counts must be looked at now (checks
   * ran since the last look, or the flags themselves are read), so that they ride along in the same
   * readback; null otherwise.
   */
  claimCounts(tensor: Tensor): Tensor | null {
    if (!this.dirty && tensor !== this.flags) return null;
    this.dirty = false;
    return this.flags;
  }

  /** Throws the error `counts` (read back from the flags) describe, clearing the flags for the next steps. */
  verify(counts: Uint32Array): void {
    const problem = this.explain(counts);
    if (!problem) return;
    this.flags.engine.device.queue.writeBuffer(this.flags.buffer, 0, new Uint32Array(this.flags.size));
    throw new Error(problem);
  }

  /** Turns counts read back from the GPU into an error message, or null when all were zero. */
  explain(counts: Uint32Array): string | null {
    const problems: string[] = [];
    counts.forEach((count, slot) => {
      if (count === 0) return;
      const site = this.slots[slot];
      if (this.sharedSites.size > 1 && slot === MAX_SLOTS - 1) {
        // The slot counts for several call sites: do not blame the first of them.
        problems.push(`one of ${[...this.sharedSites].join(', ')} had ${count} out-of-domain values, which give NaN. Check those inputs.`);
        return;
      }
      problems.push(
        site
          ? `${site.op}: input ${site.what} had ${count} ${EXPLANATIONS[site.domain]}, which give NaN. ${site.advice}`
          : `a checked op had ${count} out-of-domain values.`,
      );
    });
    return problems.length > 0 ? problems.join('\n') : null;
  }
}
