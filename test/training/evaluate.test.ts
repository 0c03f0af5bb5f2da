import { describe, expect, it } from 'vitest';
import { classificationError, clusterError, clusterLabels, logProbability, validationClusterError } from '../../src/training/evaluate.js';

describe('classification and cluster error', () => {
  it('classificationError counts rows whose most likely class is wrong', () => {
    const probabilities = Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7]);
    expect(classificationError(probabilities, [0, 1, 1, 1], 2)).toBe(0.25);
  });

  it("clusterError labels each cluster by its most confident training image (the paper's protocol)", () => {
    // Three clusters. Cluster 0's most confident training image is a 7, cluster 1's a 3, cluster 2's a 7.
    const train = Float32Array.from([
      0.9, 0.05, 0.05, // label 7
      0.2, 0.7, 0.1, // label 3
      0.1, 0.2, 0.7, // label 5
      0.05, 0.05, 0.9, // label 7
    ]);
    const trainLabels = [7, 3, 5, 7];
    const test = Float32Array.from([
      0.8, 0.1, 0.1, // cluster 0 -> 7
      0.1, 0.8, 0.1, // cluster 1 -> 3
      0.1, 0.1, 0.8, // cluster 2 -> 7
      0.1, 0.8, 0.1, // cluster 1 -> 3
    ]);
    // Test labels 7, 3, 5, 4: the third (cluster 2 says 7) and fourth (cluster 1 says 3) are wrong.
    // The function takes logits: the log of a normalised row is a row of logits with that softmax.
    expect(clusterError(train.map(Math.log), trainLabels, test.map(Math.log), [7, 3, 5, 4], 3)).toBe(0.5);
  });

  it('clusterError tells apart training images whose f32 softmax is exactly 1', () => {
    // Both training images are certain of cluster 0 in f32 (margins 30 and 40), but the second more so:
    // it names the cluster. Cluster 1's most confident image is the first.
    const train = Float32Array.from([30, 0, 40, 0]);
    expect(Math.fround(1 / (1 + Math.exp(-30)))).toBe(1);
    const test = Float32Array.from([5, 0, 0, 5]);
    expect(clusterError(train, [2, 9], test, [9, 2], 2)).toBe(0);
    expect(logProbability(train, 1, 0, 2)).toBeGreaterThan(logProbability(train, 0, 0, 2));
    expect(logProbability([0, Math.log(3)], 0, 1, 2)).toBeCloseTo(Math.log(0.75), 12);
  });

  it('validationClusterError labels the clusters by the training rows only and scores the validation rows', () => {
    // Rows 0-1 train, rows 2-4 are held out. Row 2 is the most confident image of cluster 0 overall, but
    // it is a validation image: cluster 0 takes the label of row 0 (a 4), not row 2's 8.
    const logits = Float32Array.from([
      3, 0, // train, label 4
      0, 3, // train, label 6
      9, 0, // validation, label 8: cluster 0 -> 4, wrong
      4, 1, // validation, label 4: cluster 0 -> 4, right
      0, 2, // validation, label 6: cluster 1 -> 6, right
    ]);
    const labels = [4, 6, 8, 4, 6];
    expect(validationClusterError(logits, labels, Uint32Array.from([0, 1]), Uint32Array.from([2, 3, 4]), 2)).toBeCloseTo(1 / 3, 12);
    expect(Array.from(clusterLabels(logits, labels, 2, [0, 1]))).toEqual([4, 6]);
    // With every row a candidate, row 2 would name cluster 0.
    expect(Array.from(clusterLabels(logits, labels, 2))).toEqual([8, 6]);
    expect(() => validationClusterError(logits, labels, Uint32Array.from([0, 1]), new Uint32Array(0), 2)).toThrow('validationClusterError: there are no validation rows');
  });
});
