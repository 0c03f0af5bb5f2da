// The contract between the host and its WGSL: every kernel definition names an entry point of its source
// and lists the bindings that entry point uses, at their indices, with their access; every entry point of
// every shader has a definition; codes are named in the shaders and numbered only in TypeScript.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineKernel, definedKernels, type KernelDefinition } from '../../src/kernels/kernel.js';
import { wgslCodeName, wgslWithCodes } from '../../src/kernels/wgsl-library.js';
import { sourceFiles } from '../helpers/import-graph.js';
import { contractProblems, entryPoints, reachableBindings } from '../helpers/wgsl-contract.js';

const root = resolve(import.meta.dirname, '..', '..');
const shaders = join(root, 'shaders');

function shaderFiles(directory = shaders): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? shaderFiles(join(directory, entry.name)) : entry.name.endsWith('.wgsl') ? [join(directory, entry.name)] : [],
  );
}

describe('codes', () => {
  it('are appended as WGSL consts named after the table', () => {
    expect(wgslCodeName('UNARY', 'leakyRelu')).toBe('UNARY_LEAKY_RELU');
    expect(wgslCodeName('DOMAIN', 'nonNegative')).toBe('DOMAIN_NON_NEGATIVE');
    const source = wgslWithCodes('fn main() {}', 'BINARY', { add: 0, mulScalar: 12 });
    expect(source.startsWith('fn main() {}\n')).toBe(true);
    expect(source).toContain('const BINARY_ADD: u32 = 0u;\nconst BINARY_MUL_SCALAR: u32 = 12u;');
  });

  it('must be distinct u32s', () => {
    expect(() => wgslWithCodes('', 'OP', { a: 1, b: 1 })).toThrow(/OP codes 'a' and 'b' are both 1/);
    expect(() => wgslWithCodes('', 'OP', { a: -1 })).toThrow(/OP code 'a' is -1, not a u32/);
  });

  it('appear in no shader as numbers: every switch case is a name', () => {
    const numbered = shaderFiles().flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => /\bcase\s+\d/.test(line))
        .map((line) => `${path.slice(shaders.length + 1)}: ${line.trim()}`),
    );
    expect(numbered).toEqual([]);
  });
});

describe('every kernel definition', () => {
  beforeAll(async () => {
    // Loading a module defines its kernels. The command line's entry runs a command when loaded.
    for (const path of sourceFiles(join(root, 'src')).keys()) if (!path.endsWith(join('cli', 'main.ts'))) await import(path);
  });

  it('names an entry point of its source and lists the bindings it uses, as declared', () => {
    expect(definedKernels().length).toBeGreaterThan(50);
    expect(definedKernels().flatMap(contractProblems)).toEqual([]);
  });

  it('exists for every entry point of every shader', () => {
    const missing = shaderFiles()
      .filter((path) => !path.includes(join('shaders', 'lib')))
      .flatMap((path) => {
        const text = readFileSync(path, 'utf8');
        return entryPoints(text)
          .filter((entry) => !definedKernels().some((kernel) => (kernel.entryPoint ?? 'main') === entry && kernel.source.includes(text)))
          .map((entry) => `${relative(root, path)}: ${entry}`);
      });
    expect(missing).toEqual([]);
  });
});

describe('shader names', () => {
  it('are those of TypeScript files: the same, or that name, a dash and a part (matmul-tiled: matmul.ts)', () => {
    const names = new Set([...sourceFiles(join(root, 'src')).keys()].map((path) => basename(path, '.ts')));
    const unmatched = shaderFiles()
      .filter((path) => !path.includes(join('shaders', 'lib')))
      .map((path) => basename(path, '.wgsl'))
      .filter((shader) => !names.has(shader) && ![...names].some((name) => shader.startsWith(`${name}-`)));
    expect(unmatched).toEqual([]);
  });
});

describe('the contract check', () => {
  const source = `
    @group(0) @binding(0) var<storage, read> x: array<f32>;
    @group(0) @binding(0) var<storage, read> x4: array<vec4f>;
    @group(0) @binding(1) var<storage, read_write> y: array<f32>;
    @group(0) @binding(1) var<storage, read> dy: array<f32>;
    @group(0) @binding(2) var<uniform> settings: vec4f;
    @group(0) @binding(3) var<storage, read_write> dx: array<f32>;

    fn scaled(v: f32) -> f32 { return v * settings.x; }
    // The parameter x hides the binding x: this reads no buffer.
    fn twice(x: f32) -> f32 { return 2.0 * x; }

    @compute @workgroup_size(64)
    fn forward(@builtin(global_invocation_id) id: vec3u) {
      y[id.x] = scaled(x[id.x]); /* dy[id.x] in a comment is no use */
    }

    @compute @workgroup_size(64)
    fn backward(@builtin(global_invocation_id) id: vec3u) {
      let v = x4[id.x / 4u];
      dx[id.x] = twice(dy[id.x]) * v.x;
    }`;
  const kernel = (entryPoint: string, bindings: KernelDefinition['bindings']) => defineKernel({ name: 'planted', source, entryPoint, bindings });

  it('follows calls and skips comments, parameters and members', () => {
    expect(reachableBindings(source, 'forward').map((d) => d.name).sort()).toEqual(['settings', 'x', 'y']);
    expect(reachableBindings(source, 'backward').map((d) => d.name).sort()).toEqual(['dx', 'dy', 'x4']);
  });

  it('passes definitions that match, a stand-in below a used binding included', () => {
    expect(contractProblems(kernel('forward', ['read', 'write', 'uniform']))).toEqual([]);
    expect(contractProblems(kernel('backward', ['read', 'read', 'uniform', 'write']))).toEqual([]);
  });

  it('fails a wrong access, a missing or extra binding, a missing entry point', () => {
    expect(contractProblems(kernel('forward', ['read', 'read', 'uniform']))).toEqual([
      "kernel 'planted' (entry point forward): binding 1 is 'read' in the definition, but y is declared var<storage, read_write> ('write').",
    ]);
    expect(contractProblems(kernel('forward', ['read', 'write']))).toEqual([
      "kernel 'planted' (entry point forward): uses settings at binding 2, but the definition lists 2 bindings.",
    ]);
    expect(contractProblems(kernel('forward', ['read', 'write', 'uniform', 'write']))).toEqual([
      "kernel 'planted' (entry point forward): the definition lists binding 3 ('write'), which the entry point never uses.",
    ]);
    expect(contractProblems(kernel('backward', ['read', 'read', 'read', 'write']))).toEqual([
      "kernel 'planted' (entry point backward): the definition lists binding 2 as 'read', but the source declares no such binding.",
    ]);
    expect(contractProblems(kernel('main', ['read']))).toEqual([
      "kernel 'planted' (entry point main): its source has no @compute function 'main' (it has: forward, backward).",
    ]);
  });
});
