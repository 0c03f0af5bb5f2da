import broadcastIndex from '../../shaders/lib/broadcast-index.wgsl';
import elementwiseLoss from '../../shaders/lib/elementwise-loss.wgsl';
import matmulProblem from '../../shaders/lib/matmul-problem.wgsl';
import stableMath from '../../shaders/lib/stable-math.wgsl';
import workgroupSum from '../../shaders/lib/workgroup-sum.wgsl';

/**
 * WGSL has no #include, so helpers that several kernels share live once in `shaders/lib/<name>.wgsl`,
 * and a kernel's source is its own file with the snippets it names appended. Each kernel file lists the
 * snippets it expects in its header comment; each snippet lists what it expects from the kernel.
 */
const SNIPPETS = {
  /** D0..D3 and broadcast_coordinates(index): an output element's place in a broadcast layout. */
  'broadcast-index': broadcastIndex,
  /** Host constants, bindings and entry points of a loss summed over element pairs (needs workgroup-sum). */
  'elementwise-loss': elementwiseLoss,
  /** Every matmul kernel's problem constants (shape, layout, epilogue) and its fused bias + activation. */
  'matmul-problem': matmulProblem,
  /** sigmoid, stable_tanh, log1p and softplus on vec4f, without overflow: the project's one of each. */
  'stable-math': stableMath,
  /** workgroup_sum(value, local): a deterministic tree sum over a workgroup of WORKGROUP_SIZE threads. */
  'workgroup-sum': workgroupSum,
} as const;

export type WgslSnippet = keyof typeof SNIPPETS;

/**
 * `source` followed by the named library snippets. They go after the kernel's own code (WGSL does not
 * care about the order of module-scope declarations) so that compiler messages keep the line numbers
 * of the kernel's file. The pipeline cache keys shader modules by this full text.
 */
export function wgslWithLibrary(source: string, ...snippets: WgslSnippet[]): string {
  return [source, ...snippets.map((name) => `// ---- shaders/lib/${name}.wgsl ----\n${SNIPPETS[name]}`)].join('\n');
}

/** Codes the host passes in an override constant (OP, ACTIVATION, DOMAIN) to pick a branch: name → number. */
export type CodeTable = Readonly<Record<string, number>>;

/**
 * `source` followed by a WGSL `const` for each code of `codes`, named PREFIX_NAME (`{ leakyRelu: 6 }`
 * with prefix 'UNARY' gives `const UNARY_LEAKY_RELU: u32 = 6u;`). The shader switches on these names,
 * so a code's number is written only in the TypeScript table. Appended, like the library snippets.
 */
export function wgslWithCodes(source: string, prefix: string, codes: CodeTable): string {
  const seen = new Map<number, string>();
  const lines = Object.entries(codes).map(([name, code]) => {
    if (!Number.isInteger(code) || code < 0 || code > 0xffffffff) throw new Error(`wgslWithCodes: ${prefix} code '${name}' is ${code}, not a u32.`);
    const other = seen.get(code);
    if (other !== undefined) throw new Error(`wgslWithCodes: ${prefix} codes '${other}' and '${name}' are both ${code}; a switch needs distinct codes.`);
    seen.set(code, name);
    return `const ${wgslCodeName(prefix, name)}: u32 = ${code}u;`;
  });
  return [source, `// ---- ${prefix}_* codes, generated from the host's table ----`, ...lines].join('\n');
}

/** The WGSL name of code `name` of a table: 'UNARY', 'leakyRelu' → UNARY_LEAKY_RELU. */
export function wgslCodeName(prefix: string, name: string): string {
  return `${prefix}_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}
