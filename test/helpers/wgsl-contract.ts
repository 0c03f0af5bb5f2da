// What a kernel definition promises about its WGSL, checked on the text: its entry point is a @compute
// function of the source, and the bindings the entry point can reach are the ones the definition lists, at
// the same indices, with the same access. Textual and conservative: any identifier of a reachable
// function that names a binding counts as a use, unless that function declares a local of that name.
import type { BindingAccess, KernelDefinition } from '../../src/kernels/kernel.js';

export interface BindingDeclaration {
  name: string;
  group: number;
  binding: number;
  /** null for what a kernel definition cannot describe (textures, samplers, write-only storage). */
  access: BindingAccess | null;
  /** As written: `var<storage, read_write>`. */
  declared: string;
}

interface WgslFunction {
  name: string;
  /** Parameters and body: what the function's code can refer to. */
  text: string;
}

/** `source` with its comments blanked out (WGSL block comments nest). */
export function withoutComments(source: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const pair = source.slice(i, i + 2);
    if (depth === 0 && pair === '//') {
      while (i < source.length && source[i] !== '\n') i++;
      out += '\n';
    } else if (pair === '/*') {
      depth++;
      i++;
    } else if (depth > 0 && pair === '*/') {
      depth--;
      i++;
    } else if (depth === 0) {
      out += source[i];
    } else if (source[i] === '\n') {
      out += '\n';
    }
  }
  return out;
}

const ACCESS: Record<string, BindingAccess> = { 'storage,read': 'read', storage: 'read', 'storage,read_write': 'write', uniform: 'uniform' };

/** Every `@group(g) @binding(b) var<...> name` of the module. */
export function bindingDeclarations(source: string): BindingDeclaration[] {
  const declarations: BindingDeclaration[] = [];
  for (const match of withoutComments(source).matchAll(/((?:@\w+\s*\([^)]*\)\s*)+)var\s*(<[^>]*>)?\s*(\w+)/g)) {
    const [, attributes, template = '', name] = match;
    const binding = attributes.match(/@binding\s*\(\s*(\d+)\s*\)/);
    if (!binding) continue;
    const group = attributes.match(/@group\s*\(\s*(\d+)\s*\)/);
    const spaceAndAccess = template.replace(/[<>\s]/g, '');
    declarations.push({
      name,
      group: group ? Number(group[1]) : -1,
      binding: Number(binding[1]),
      access: ACCESS[spaceAndAccess] ?? null,
      declared: `var${template}`,
    });
  }
  return declarations;
}

/** The index just past the bracket that closes the one at `open`. */
function closing(text: string, open: number): number {
  const [opener, closer] = text[open] === '(' ? ['(', ')'] : ['{', '}'];
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === opener) depth++;
    else if (text[i] === closer && --depth === 0) return i + 1;
  }
  return text.length;
}

function functions(code: string): Map<string, WgslFunction> {
  const found = new Map<string, WgslFunction>();
  for (const match of code.matchAll(/\bfn\s+(\w+)\s*\(/g)) {
    const parametersStart = match.index + match[0].length - 1;
    const bodyStart = code.indexOf('{', closing(code, parametersStart));
    found.set(match[1], { name: match[1], text: code.slice(parametersStart, closing(code, bodyStart)) });
  }
  return found;
}

/** The names of the @compute functions of the module. */
export function entryPoints(source: string): string[] {
  return [...withoutComments(source).matchAll(/@compute\b[^;{}]*?\bfn\s+(\w+)/g)].map((match) => match[1]);
}

/** The bindings whose names `entryPoint` or a function it calls (directly or not) refers to. */
export function reachableBindings(source: string, entryPoint: string): BindingDeclaration[] {
  const code = withoutComments(source);
  const all = functions(code);
  const declarations = bindingDeclarations(source);
  const used = new Set<BindingDeclaration>();
  const visited = new Set<string>();
  const visit = (name: string) => {
    const fn = all.get(name);
    if (!fn || visited.has(name)) return;
    visited.add(name);
    // Parameters (`name: type`) and `let` / `var` / `const` locals hide module-scope names.
    const locals = new Set([
      ...[...fn.text.slice(0, closing(fn.text, 0)).matchAll(/(\w+)\s*:/g)].map((m) => m[1]),
      ...[...fn.text.matchAll(/\b(?:let|var|const)\s*(?:<[^>]*>)?\s*(\w+)/g)].map((m) => m[1]),
    ]);
    // Identifiers, but not members (`v.x` does not use a binding named x).
    for (const [identifier] of fn.text.matchAll(/(?<![.\w])[A-Za-z_]\w*/g)) {
      if (locals.has(identifier)) continue;
      for (const declaration of declarations) if (declaration.name === identifier) used.add(declaration);
      if (all.has(identifier)) visit(identifier);
    }
  };
  visit(entryPoint);
  return [...used];
}

/** What is wrong with `kernel` against its own source, as sentences; empty when it keeps its promises. */
export function contractProblems(kernel: KernelDefinition): string[] {
  const entryPoint = kernel.entryPoint ?? 'main';
  const problem = (text: string) => `kernel '${kernel.name}' (entry point ${entryPoint}): ${text}`;
  if (!entryPoints(kernel.source).includes(entryPoint)) {
    return [problem(`its source has no @compute function '${entryPoint}' (it has: ${entryPoints(kernel.source).join(', ') || 'none'}).`)];
  }
  const problems: string[] = [];
  const used = reachableBindings(kernel.source, entryPoint);
  for (const declaration of used) {
    const { name, group, binding, access, declared } = declaration;
    const listed = kernel.bindings[binding];
    if (group !== 0) problems.push(problem(`uses ${name} in group ${group}; the engine binds group 0 only.`));
    else if (access === null) problems.push(problem(`uses ${name} (${declared}), which a definition cannot describe.`));
    else if (listed === undefined) problems.push(problem(`uses ${name} at binding ${binding}, but the definition lists ${kernel.bindings.length} bindings.`));
    else if (listed !== access) problems.push(problem(`binding ${binding} is '${listed}' in the definition, but ${name} is declared ${declared} ('${access}').`));
  }
  const usedIndices = used.filter((declaration) => declaration.group === 0).map((declaration) => declaration.binding);
  const highest = Math.max(-1, ...usedIndices);
  kernel.bindings.forEach((listed, binding) => {
    if (usedIndices.includes(binding)) return;
    if (binding > highest) {
      problems.push(problem(`the definition lists binding ${binding} ('${listed}'), which the entry point never uses.`));
      return;
    }
    // A gap below a used binding (a stand-in the caller binds): the module must still declare it so.
    const declared = bindingDeclarations(kernel.source).some((d) => d.group === 0 && d.binding === binding && d.access === listed);
    if (!declared) problems.push(problem(`the definition lists binding ${binding} as '${listed}', but the source declares no such binding.`));
  });
  return problems;
}
