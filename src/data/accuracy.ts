/** Share of rows whose largest logit is at the true label; `logits` is row-major [labels.length, classes]. */
export function accuracy(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number {
  if (logits.length !== labels.length * classes) {
    throw new Error(`accuracy: ${logits.length} logits do not make ${labels.length} rows of ${classes} classes.`);
  }
  let correct = 0;
  for (let row = 0; row < labels.length; row++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (logits[row * classes + k] > logits[row * classes + best]) best = k;
    if (best === labels[row]) correct++;
  }
  return correct / labels.length;
}
