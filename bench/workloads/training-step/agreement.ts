// Before any time is reported, both sides train from the same weights on the same data for a few steps
// and every loss must agree: then the two are doing the same arithmetic.
import type { TrainingStepper } from './stepper.js';

/** |ours - theirs| <= relative * max(|ours|, |theirs|) + absolute, for every loss of every step. */
export const AGREEMENT_TOLERANCE = { relative: 1e-3, absolute: 1e-5 };

export interface Agreement {
  agrees: boolean;
  ours: number[][];
  theirs: number[][];
  /** The first loss out of tolerance, or else the largest relative difference, and where. */
  worst: { step: number; loss: string; ours: number; theirs: number; relativeDifference: number };
  tolerance: typeof AGREEMENT_TOLERANCE;
}

/** Runs `steps` steps and returns the losses, and how long the first one took (compilation included). */
export async function trainSteps<Batch>(stepper: TrainingStepper<Batch>, batches: readonly Batch[], steps: number): Promise<{ losses: number[][]; firstStepMs: number }> {
  const losses: number[][] = [];
  let firstStepMs = 0;
  for (let i = 0; i < steps; i++) {
    await stepper.before?.();
    const start = performance.now();
    losses.push(await stepper.step(batches[i % batches.length]));
    if (i === 0) firstStepMs = performance.now() - start;
  }
  return { losses, firstStepMs };
}

/** `lossNames` names each step's losses; a side that reports another number of losses disagrees. */
export function compareLosses(ours: number[][], theirs: number[][], lossNames: readonly string[]): Agreement {
  let agrees = ours.length === theirs.length && ours.length > 0;
  let worst: Agreement['worst'] = { step: 0, loss: lossNames[0], ours: NaN, theirs: NaN, relativeDifference: Infinity };
  let first = true;
  for (let step = 0; step < Math.min(ours.length, theirs.length); step++) {
    if (ours[step].length !== lossNames.length || theirs[step].length !== lossNames.length) agrees = false;
    for (let k = 0; k < lossNames.length; k++) {
      const a = ours[step][k];
      const b = theirs[step][k];
      const difference = Math.abs(a - b);
      const scale = Math.max(Math.abs(a), Math.abs(b));
      const ok = Number.isFinite(a) && Number.isFinite(b) && difference <= AGREEMENT_TOLERANCE.relative * scale + AGREEMENT_TOLERANCE.absolute;
      const relativeDifference = Number.isFinite(difference) ? (scale > 0 ? difference / scale : 0) : Infinity;
      const entry = { step, loss: lossNames[k], ours: a, theirs: b, relativeDifference };
      if (agrees && (first || !ok || relativeDifference > worst.relativeDifference)) worst = entry;
      if (!ok) agrees = false;
      first = false;
    }
  }
  return { agrees, ours, theirs, worst, tolerance: AGREEMENT_TOLERANCE };
}

export function describeAgreement(agreement: Agreement): string {
  const { worst } = agreement;
  return (
    `${agreement.agrees ? 'losses agree' : 'LOSSES DIFFER'} over ${agreement.ours.length} steps: worst ${worst.loss} loss at step ${worst.step + 1}, ` +
    `ours ${worst.ours.toPrecision(7)} vs ${worst.theirs.toPrecision(7)} (relative difference ${worst.relativeDifference.toExponential(2)}, ` +
    `tolerance ${AGREEMENT_TOLERANCE.relative} relative + ${AGREEMENT_TOLERANCE.absolute} absolute)`
  );
}
