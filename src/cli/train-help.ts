import { MODEL_KINDS } from '../models/architecture.js';
import { DEFAULT_MODEL } from '../models/config.js';
import { TRAIN_OPTION_ENTRIES, type TrainOption, type TrainRequest } from './train-options.js';
import { withDefaults } from './train-request.js';

/** The option's name and value take this many columns; the help text follows. */
const NAME_WIDTH = 24;
/** Where a short line's "(default ...)" starts, so that the defaults line up. */
const DEFAULT_COLUMN = 73;
const LINE_WIDTH = 115;
const SECTIONS = ['model', 'training', 'output'] as const;

/** The option list of `train --help`, in sections, written from the options' table. */
export function trainOptionList(): string {
  // The model and prior each model kind gets by default: the other defaults are read for every kind.
  const choices = MODEL_KINDS.map((model) => withDefaults({ model }));
  return SECTIONS.flatMap((section) => [
    `${section}:`,
    ...TRAIN_OPTION_ENTRIES.filter(([, option]) => option.section === section).map(([, option]) => optionLine(option, shownDefault(option, choices))),
  ]).join('\n');
}

/** One default, or the default model's and the kinds whose default differs: "0.001; gan 0.0002". */
function shownDefault(option: TrainOption<keyof TrainRequest>, choices: TrainRequest[]): string | undefined {
  if (option.shownDefault !== undefined) return option.shownDefault;
  const shown = choices.map((chosen) => {
    const value = option.default(chosen);
    return value === undefined ? undefined : option.kind.show(value);
  });
  const usual = shown[MODEL_KINDS.indexOf(DEFAULT_MODEL)];
  if (usual === undefined) return undefined;
  const differing = MODEL_KINDS.flatMap((model, i) => (shown[i] === usual ? [] : [`${model} ${shown[i]}`]));
  return differing.length > 0 ? `${usual}; ${differing.join(', ')}` : usual;
}

/** The option's name and help, broken at spaces to fit, then its default: in the defaults' column, after the help, or under it. */
function optionLine(option: TrainOption<keyof TrainRequest>, shown: string | undefined): string {
  // A name as wide as the column still keeps a space before its help.
  const name = `  --${option.flag}${option.kind.placeholder ? ` ${option.kind.placeholder}` : ''} `.padEnd(NAME_WIDTH);
  const lines = wrap(name + option.help);
  if (shown !== undefined) {
    const last = lines[lines.length - 1];
    const suffix = `(default ${shown})`;
    if (last.length < DEFAULT_COLUMN - 1) lines[lines.length - 1] = last.padEnd(DEFAULT_COLUMN) + suffix;
    else if (last.length + 1 + suffix.length <= LINE_WIDTH) lines[lines.length - 1] = `${last} ${suffix}`;
    else lines.push(' '.repeat(DEFAULT_COLUMN) + suffix);
  }
  return lines.join('\n');
}

function wrap(line: string): string[] {
  const lines: string[] = [];
  let rest = line;
  while (rest.length > LINE_WIDTH) {
    const at = rest.lastIndexOf(' ', LINE_WIDTH);
    if (at <= NAME_WIDTH) break;
    lines.push(rest.slice(0, at).trimEnd());
    rest = ' '.repeat(NAME_WIDTH) + rest.slice(at + 1).trimStart();
  }
  return [...lines, rest];
}
