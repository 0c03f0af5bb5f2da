// Kernel benchmarks: `npm run bench:kernels [-- --quick]`.
import { runMatmulLab } from './kernel-lab/matmul.js';

await runMatmulLab(process.argv.slice(2));
