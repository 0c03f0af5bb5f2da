/** WGSL kernels are imported as text: esbuild's `text` loader, and a small plugin in vitest.config.ts. */
declare module '*.wgsl' {
  const source: string;
  export default source;
}
