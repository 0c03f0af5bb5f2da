import { UsageError } from './usage-error.js';

const UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1 };

/**
 * A length of time as people write it on a command line: "30m", "20s", "1h30m", "90" (seconds), "2.5m".
 * Returns seconds; a usage error names the option otherwise.
 */
export function parseDuration(option: string, text: string): number {
  const bare = /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
  let seconds = bare ?? 0;
  if (bare === undefined) {
    const parts = [...text.matchAll(/(\d+(?:\.\d+)?)([hms])/g)];
    if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) {
      throw new UsageError(`--${option}: '${text}' is not a length of time; write it like 30m, 20s, 1h30m or 90 (seconds).`);
    }
    for (const [, amount, unit] of parts) seconds += Number(amount) * UNIT_SECONDS[unit];
  }
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new UsageError(`--${option}: '${text}' must be longer than no time at all.`);
  return seconds;
}
