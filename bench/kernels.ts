// Kernel benchmarks: `npm run bench:kernels [-- --quick]`. Exits 1 when any kernel computes a wrong result.
import { runMatmulLab } from './kernel-lab/matmul.js';

process.exitCode = await runMatmulLab(process.argv.slice(2));
