import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parses `args` strictly: an unknown option or a missing value is a UsageError naming it. */
export function parseOptions<T extends OptionSpec>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message.replace(/\. To specify.*$/s, '')}. See 'webgpu-aae ${command} --help'.`);
  }
}

export function oneOf<T extends string>(option: string, value: string | undefined, choices: readonly T[], fallback: T): T {
  return value === undefined ? fallback : parseChoice(option, value, choices);
}

export function wholeNumber(option: string, value: string | undefined, fallback?: number, minimum = 1): number | undefined {
  return value === undefined ? fallback : parseWholeNumber(option, value, minimum);
}

export function parseChoice<T extends string>(option: string, value: string, choices: readonly T[]): T {
  if (!choices.includes(value as T)) throw new UsageError(`--${option}: unknown value '${value}'; choose one of ${choices.join(', ')}.`);
  return value as T;
}

export function parseWholeNumber(option: string, value: string, minimum = 1): number {
  // Digits only: Number() would also take '', ' ', '0x10' and '1e3'.
  const number = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < minimum) throw new UsageError(`--${option}: '${value}' is not a whole number >= ${minimum}.`);
  return number;
}

export function parsePositiveNumber(option: string, value: string): number {
  const number = Number(value);
  if (!(number > 0 && Number.isFinite(number))) throw new UsageError(`--${option}: '${value}' is not a positive number.`);
  return number;
}

export function parseNonNegativeNumber(option: string, value: string): number {
  const number = Number(value);
  if (!(value.trim() !== '' && number >= 0 && Number.isFinite(number))) throw new UsageError(`--${option}: '${value}' is not a number >= 0.`);
  return number;
}
