import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/cli/duration.js';
import { UsageError } from '../../src/cli/usage-error.js';

describe('parseDuration', () => {
  it('reads hours, minutes and seconds as people write them', () => {
    expect(parseDuration('budget', '30m')).toBe(1800);
    expect(parseDuration('budget', '20s')).toBe(20);
    expect(parseDuration('budget', '1h30m')).toBe(5400);
    expect(parseDuration('budget', '2.5m')).toBe(150);
    expect(parseDuration('budget', '90')).toBe(90);
    expect(parseDuration('budget', '0.05s')).toBeCloseTo(0.05, 12);
  });

  it('refuses what is not a length of time, naming the option', () => {
    for (const text of ['', 'soon', '30 m', '1x', 'm', '30m5', '-5s', '1e3s']) {
      expect(() => parseDuration('budget', text), text).toThrow(UsageError);
      expect(() => parseDuration('budget', text), text).toThrow(/--budget/);
    }
    expect(() => parseDuration('budget', '0s')).toThrow(/longer than no time/);
    expect(() => parseDuration('budget', '0')).toThrow(/longer than no time/);
  });
});
