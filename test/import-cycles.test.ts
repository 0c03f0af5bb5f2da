// The layers of src/ import downwards only: ops record on the tape, the tape builds on the gradient-free
// launchers (src/launch/), and nothing below imports back up. A runtime import cycle fails here.
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, sourceFiles } from './helpers/import-graph.js';

const root = resolve(import.meta.dirname, '..', 'src');

describe('import cycles', () => {
  it('there are none among the runtime imports of src/', () => {
    expect(importCycles(sourceFiles(root), root)).toEqual([]);
  });

  it('the check finds one, and ignores imports of types only', () => {
    const files = new Map([
      [join(root, 'a.ts'), "import { b } from './b.js';\nimport type { C } from './c.js';"],
      [join(root, 'b.ts'), "import { helper, type A } from './a.js';"],
      [join(root, 'c.ts'), "import { type A } from './a.js';\nexport { b } from './b.js';"],
    ]);
    expect(importCycles(files, root)).toEqual([['a.ts', 'b.ts', 'a.ts']]);
  });
});
