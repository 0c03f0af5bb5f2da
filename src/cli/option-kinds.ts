import { parseChoice, parseNonNegativeNumber, parsePositiveNumber, parseWholeNumber } from './options.js';

/**
 * What an option's value may be: how its text becomes the value (a usage error naming the option when it
 * cannot), and how a value is written in the help.
 */
export interface OptionKind<T> {
  /** False for a bare flag, true when it is present. */
  readonly takesValue: boolean;
  /** The value's name in the help: N, R, NAME (empty for a bare flag). */
  readonly placeholder: string;
  parse(option: string, text: string): T;
  /** The value as the help shows it; undefined for nothing to show (a flag's false). */
  show(value: T): string | undefined;
}

export function choice<T extends string>(choices: readonly T[], placeholder = 'NAME'): OptionKind<T> {
  return { takesValue: true, placeholder, parse: (option, text) => parseChoice(option, text, choices), show: String };
}

/** A choice among named values (a size preset names its hidden widths). */
export function namedValue<T>(values: Readonly<Record<string, T>>, placeholder = 'NAME'): OptionKind<T> {
  const names = Object.keys(values);
  return {
    takesValue: true,
    placeholder,
    parse: (option, text) => values[parseChoice(option, text, names)],
    show: (value) => names.find((name) => JSON.stringify(values[name]) === JSON.stringify(value)) ?? JSON.stringify(value),
  };
}

export function wholeNumber(placeholder: string, minimum = 1): OptionKind<number> {
  return { takesValue: true, placeholder, parse: (option, text) => parseWholeNumber(option, text, minimum), show: String };
}

/** A whole number, or 'all'. */
export function countOrAll(placeholder: string): OptionKind<number | 'all'> {
  return { takesValue: true, placeholder, parse: (option, text) => (text === 'all' ? 'all' : parseWholeNumber(option, text)), show: String };
}

export function positiveNumber(placeholder: string): OptionKind<number> {
  return { takesValue: true, placeholder, parse: parsePositiveNumber, show: String };
}

export function nonNegativeNumber(placeholder: string): OptionKind<number> {
  return { takesValue: true, placeholder, parse: parseNonNegativeNumber, show: String };
}

export function text(placeholder: string): OptionKind<string> {
  return { takesValue: true, placeholder, parse: (_option, value) => value, show: String };
}

/** Present or not; parseArgs gives true for a present flag and never calls `parse`. */
export const flag: OptionKind<boolean> = { takesValue: false, placeholder: '', parse: () => true, show: () => undefined };
