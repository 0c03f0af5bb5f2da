import type { Rgb } from './raster.js';

/** The colours that tell classes apart in scatter plots and legends. */

/** Tableau's ten categorical colours (matplotlib's tab10): distinct, and readable on white. */
export const LABEL_PALETTE: readonly Rgb[] = [
  [31, 119, 180], // blue
  [255, 127, 14], // orange
  [44, 160, 44], // green
  [214, 39, 40], // red
  [148, 103, 189], // purple
  [140, 86, 75], // brown
  [227, 119, 194], // pink
  [127, 127, 127], // gray
  [188, 189, 34], // olive
  [23, 190, 207], // cyan
];

/** Points without labels. */
export const UNLABELLED_COLOR: Rgb = [31, 119, 180];

/** The colour of class `label`; the palette repeats after ten classes. */
export function labelColor(label: number): Rgb {
  return LABEL_PALETTE[((label % LABEL_PALETTE.length) + LABEL_PALETTE.length) % LABEL_PALETTE.length];
}
