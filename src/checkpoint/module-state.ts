import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import type { TensorRecord } from './safetensors.js';

/**
 * Between modules' parameters on the GPU and the plain tensors a checkpoint holds. A model made of
 * several networks saves them under one prefix each: `encoder.layers.0.weight`, `decoder...`.
 * Browser-safe (no Node modules).
 */

/** Copies a module's parameters (or any named f32 tensors) to the CPU, in order, with their shapes. */
export async function readStateDict(source: Module | Record<string, Tensor>): Promise<TensorRecord> {
  const state: Record<string, Tensor> = isModule(source) ? source.stateDict() : source;
  const entries = Object.entries(state);
  for (const [name, tensor] of entries) {
    if (tensor.dtype !== 'f32') throw new Error(`readStateDict: '${name}' is ${tensor.describe()}; checkpoints hold f32 tensors only.`);
  }
  // All reads at once: each waits for its own copy, and the GPU work before them runs only once.
  const values = await Promise.all(entries.map(([, tensor]) => tensor.read()));
  const record: TensorRecord = {};
  entries.forEach(([name, tensor], index) => {
    record[name] = { shape: [...tensor.shape], data: values[index] as Float32Array };
  });
  return record;
}

/** Every network's parameters, each name prefixed with its network's key: `{ encoder, decoder }` -> `encoder.*`, `decoder.*`. */
export async function readModules(modules: Record<string, Module>): Promise<TensorRecord> {
  const record: TensorRecord = {};
  for (const [key, module] of Object.entries(modules)) {
    checkKey(key);
    for (const [name, tensor] of Object.entries(await readStateDict(module))) record[`${key}.${name}`] = tensor;
  }
  return record;
}

/**
 * Loads tensors saved by `readStateDict(module)` into `module`, after checking that the names and every
 * shape match (a checkpoint of another architecture fails here, with the differences listed, and changes nothing).
 */
export function loadIntoModule(module: Module, tensors: TensorRecord): void {
  checkAgainst(module, tensors, '');
  module.loadStateDict(toArrays(tensors));
}

/**
 * Loads tensors saved by `readModules(modules)`: each network takes the tensors under its prefix. Every
 * network is checked before any is changed, so a mismatch leaves the whole model as it was.
 */
export function loadModules(modules: Record<string, Module>, tensors: TensorRecord): void {
  const keys = Object.keys(modules);
  keys.forEach(checkKey);
  const parts = new Map<string, TensorRecord>(keys.map((key) => [key, {}]));
  const unclaimed: string[] = [];
  for (const [name, tensor] of Object.entries(tensors)) {
    const dot = name.indexOf('.');
    const part = dot > 0 ? parts.get(name.slice(0, dot)) : undefined;
    if (part) part[name.slice(dot + 1)] = tensor;
    else unclaimed.push(name);
  }
  if (unclaimed.length > 0) {
    throw new Error(`loadModules: the checkpoint has tensors for no network here: ${unclaimed.join(', ')}. Expected prefixes: ${keys.map((key) => `${key}.`).join(', ')}.`);
  }
  for (const key of keys) checkAgainst(modules[key], parts.get(key)!, `${key}.`);
  for (const key of keys) modules[key].loadStateDict(toArrays(parts.get(key)!));
}

function checkAgainst(module: Module, tensors: TensorRecord, prefix: string): void {
  const own = new Map(module.namedParameters());
  const missing = [...own.keys()].filter((name) => !(name in tensors));
  const unexpected = Object.keys(tensors).filter((name) => !own.has(name));
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing ${missing.map((name) => prefix + name).join(', ')}`);
  if (unexpected.length > 0) problems.push(`unexpected ${unexpected.map((name) => prefix + name).join(', ')}`);
  for (const [name, parameter] of own) {
    const stored = tensors[name];
    if (stored && !sameShape(stored.shape, parameter.shape)) {
      problems.push(`'${prefix}${name}' is ${formatShape(stored.shape)} in the checkpoint but ${formatShape(parameter.shape)} in this ${module.constructor.name}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`the checkpoint does not match this ${module.constructor.name}${prefix ? ` ('${prefix.slice(0, -1)}')` : ''}: ${problems.join('; ')}. Was it saved from a model with other sizes?`);
  }
}

function toArrays(tensors: TensorRecord): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(tensors).map(([name, tensor]) => [name, tensor.data]));
}

function checkKey(key: string): void {
  if (key === '' || key.includes('.')) throw new Error(`checkpoint: network key '${key}' must be non-empty and contain no dot.`);
}

function isModule(source: Module | Record<string, Tensor>): source is Module {
  return typeof (source as Module).namedParameters === 'function';
}
