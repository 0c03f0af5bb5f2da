// Types of scripts/web.mjs, for the browser test.
export const PAGE_TRAIN_IMAGES: number;
export const PAGE_TEST_IMAGES: number;
export const MAX_URL_LENGTH: number;
export function writeMnistSubset(outDir: string): void;
export function buildWebPage(outDir?: string): Promise<{ outDir: string; bundle: { outfile: string; bytes: number; gzipBytes: number }; benchBundleBytes: number }>;
export function serveWebPage(options?: { directory?: string; port?: number; host?: string }): Promise<{ url: string; close(): Promise<void> }>;
