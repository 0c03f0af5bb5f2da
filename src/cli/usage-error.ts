/** A mistake in how the CLI was called (unknown option or value, missing file): exit code 2. */
export class UsageError extends Error {}

export const EXIT_USAGE = 2;
