// The contract between the host and its WGSL: codes are named in the shaders and numbered only in
// TypeScript.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wgslCodeName, wgslWithCodes } from '../src/kernels/wgsl-library.js';

const shaders = resolve(import.meta.dirname, '..', 'shaders');

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
