import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Runtime imports between TypeScript files: `import ... from './x.js'` and `export ... from './x.js'`,
 * but not `import type` or imports of types only (erased at build time), and not assets (.wgsl).
 */
export function runtimeImports(path: string, text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/^(?:import|export)\s+(type\s+)?([^;]*?)\s+from\s+'(\.{1,2}\/[^']+)'/gms)) {
    const [, typeOnly, names, specifier] = match;
    if (typeOnly || specifier.endsWith('.wgsl')) continue;
    const braced = names.trim().match(/^\{([\s\S]*)\}$/);
    if (braced && braced[1].split(',').every((name) => name.trim() === '' || name.trim().startsWith('type '))) continue;
    found.push(resolve(dirname(path), specifier).replace(/\.js$/, '.ts'));
  }
  return found;
}

/** Every cycle found by a depth-first walk (one per back edge), as file paths relative to `root`. */
export function importCycles(files: ReadonlyMap<string, string>, root: string): string[][] {
  const graph = new Map([...files].map(([path, text]) => [path, runtimeImports(path, text).filter((target) => files.has(target))]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (path: string) => {
    state.set(path, 'open');
    stack.push(path);
    for (const target of graph.get(path)!) {
      if (state.get(target) === 'open') cycles.push([...stack.slice(stack.indexOf(target)), target].map((file) => relative(root, file)));
      else if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(path, 'done');
  };
  for (const path of graph.keys()) if (!state.has(path)) visit(path);
  return cycles;
}

/** The .ts files below `directory`, with their text. */
export function sourceFiles(directory: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) files.set(path, readFileSync(path, 'utf8'));
    }
  };
  walk(directory);
  return files;
}
