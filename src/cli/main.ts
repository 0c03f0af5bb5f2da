import { evalCommand } from './commands/eval.js';
import { exportCommand } from './commands/export.js';
import { gmmCommand } from './commands/gmm.js';
import { sampleCommand } from './commands/sample.js';
import { trainCommand } from './commands/train.js';
import { MAIN_HELP } from './help.js';
import { EXIT_USAGE, UsageError } from './usage-error.js';
import { MnistNotInstalledError } from '../data/mnist.js';

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'train':
      return trainCommand(args);
    case 'sample':
      return sampleCommand(args);
    case 'eval':
      return evalCommand(args);
    case 'gmm':
      return gmmCommand(args);
    case 'export':
      return exportCommand(args);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      console.log(MAIN_HELP);
      return command === undefined ? EXIT_USAGE : 0;
    default:
      throw new UsageError(`unknown command '${command}'; choose train, sample, eval, gmm or export (see 'webgpu-aae --help').`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A missing MNIST package is the user's set-up to finish, said in one line like a usage error.
    if (error instanceof UsageError || error instanceof MnistNotInstalledError) {
      console.error(`webgpu-aae: ${error.message}`);
      process.exitCode = EXIT_USAGE;
    } else {
      console.error(`webgpu-aae: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exitCode = 1;
    }
  },
);
