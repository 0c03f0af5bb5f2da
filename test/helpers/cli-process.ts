import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { expect } from 'vitest';

/**
 * The command-line tool, run as users run it: bundled once per test file (inside the project, so that
 * its `import 'webgpu'` resolves to node_modules), then started in its own process per case.
 */

export const EXIT_USAGE = 2;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  run(...args: string[]): Promise<CliResult>;
  /** The bundled command line, to start by hand (process.execPath, then these arguments). */
  readonly script: string;
  /** Exits with a usage error, saying `message` on stderr in one line, with no stack trace. */
  expectUsageError(args: string[], message: RegExp | string): Promise<CliResult>;
  dispose(): Promise<void>;
}

/** `timeoutMs`: how long one command may run before it is killed (default 2 minutes). */
export async function bundleCli(cwd: string, { timeoutMs = 120_000 } = {}): Promise<CliProcess> {
  // One bundle per test process: several checkouts may share node_modules (a worktree's link to it),
  // and their test runs must not overwrite each other's CLI.
  const bundle = join(process.cwd(), 'node_modules', '.cache', 'webgpu-aae-test', `cli-${process.pid}-${Math.random().toString(36).slice(2, 8)}.mjs`);
  await build({
    entryPoints: ['src/cli/main.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'es2022',
    packages: 'external',
    loader: { '.wgsl': 'text' },
    outfile: bundle,
    logLevel: 'silent',
  });
  const run = (...args: string[]) =>
    new Promise<CliResult>((resolve) => {
      execFile(process.execPath, [bundle, ...args], { cwd, timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  return {
    run,
    script: bundle,
    async expectUsageError(args, message) {
      const result = await run(...args);
      expect(result.code, `webgpu-aae ${args.join(' ')}: ${result.stderr}`).toBe(EXIT_USAGE);
      // The error is stderr's last line, all of it (Dawn's warnings or a note may come before it).
      const last = result.stderr.trimEnd().split('\n').pop() ?? '';
      expect(last).toMatch(/^webgpu-aae: /);
      if (typeof message === 'string') expect(last).toContain(message);
      else expect(last).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      return result;
    },
    dispose: () => rm(bundle, { force: true }),
  };
}
