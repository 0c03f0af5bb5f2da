import { evalCommand } from './commands/eval.js';
import { exportCommand } from './commands/export.js';
import { gmmCommand } from './commands/gmm.js';
import { reproduceCommand } from './commands/reproduce.js';
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
    case 'reproduce':
      return reproduceCommand(args);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      console.log(MAIN_HELP);
      return command === undefined ? EXIT_USAGE : 0;
    default:
      throw new UsageError(`unknown command '${command}'; choose train, sample, eval, gmm, export or reproduce (see 'webgpu-aae --help').`);
  }
}

main(process.argv.slice(2)).then(exitWhenFlushed, (error: unknown) => {
  // A missing MNIST package is the user's set-up to finish, said in one line like a usage error.
  if (error instanceof UsageError || error instanceof MnistNotInstalledError) {
    console.error(`webgpu-aae: ${error.message}`);
    exitWhenFlushed(EXIT_USAGE);
  } else {
    console.error(`webgpu-aae: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    exitWhenFlushed(1);
  }
});

/**
 * Exits as soon as stdout and stderr are written out, instead of letting Node wind down by itself:
 * then Dawn's worker threads can still be running while Node tears down its bindings, and on a loaded
 * machine about one exit in 16 ended in a segmentation fault or an abort (std::system_error) after
 * the command had finished (measured on lavapipe, 8 at a time: 10 of 160 natural exits, none of 256
 * explicit ones).
 */
function exitWhenFlushed(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
