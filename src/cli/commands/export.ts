import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { saveCheckpoint } from '../../checkpoint/checkpoint.js';
import { TORCH_EXPORT_METADATA, toTorchLayout } from '../../checkpoint/torch-layout.js';
import { networkTensors } from '../../training/model-checkpoint.js';
import { readCheckpointForCli, requireCheckpoint } from '../checkpoint-input.js';
import { EXPORT_HELP } from '../help.js';
import { oneOf, parseOptions } from '../options.js';
import { checkOutputFile } from '../output-paths.js';
import { UsageError } from '../usage-error.js';

const FORMATS = ['torch'] as const;

/**
 * `webgpu-aae export`: a trained model's networks in another framework's layout. `--format torch` writes
 * a safetensors file that `safetensors.torch.load_file` reads into the modules of
 * examples/pytorch/webgpu_aae.py: the same names, Linear weights as [out, in], the model's config in
 * the metadata. Optimizer state and the run's position are left out: the file is for inference.
 */
export async function exportCommand(args: string[]): Promise<number> {
  const values = parseOptions('export', args, {
    checkpoint: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
  });
  if (values.help) {
    console.log(EXPORT_HELP);
    return 0;
  }
  const checkpoint = await requireCheckpoint('export', values.checkpoint as string | undefined);
  if (values.format === undefined) throw new UsageError(`export: --format is required; choose one of ${FORMATS.join(', ')}.`);
  oneOf('format', values.format as string, FORMATS, 'torch');
  const out = values.out as string | undefined;
  if (!out) throw new UsageError('export: --out FILE is required (e.g. model.safetensors).');
  if (resolve(out) === resolve(checkpoint)) throw new UsageError(`export: --out ${out} is the checkpoint itself; choose another file.`);
  await checkOutputFile('out', out);
  const folder = await stat(dirname(resolve(out))).catch(() => null);
  if (!folder?.isDirectory()) throw new UsageError(`export: --out ${out}: the folder ${dirname(out)} does not exist; make it first.`);

  const decoded = await readCheckpointForCli(checkpoint);
  const networks = networkTensors(decoded.tensors);
  if (Object.keys(networks).length === 0) throw new UsageError(`export: ${checkpoint} holds no network tensors (names starting with 'model.').`);
  await saveCheckpoint(out, {
    tensors: toTorchLayout(networks),
    metadata: { ...TORCH_EXPORT_METADATA, config: JSON.stringify(decoded.config), epoch: String(decoded.position.epoch) },
  });
  const parameters = Object.values(networks).reduce((count, tensor) => count + tensor.data.length, 0);
  const names = [...new Set(Object.keys(networks).map((name) => name.slice(0, name.indexOf('.'))))];
  console.error(`wrote ${out}: the ${decoded.config.model}'s ${names.join(', ')} (${parameters.toLocaleString('en-US')} parameters) in PyTorch's layout`);
  return 0;
}
