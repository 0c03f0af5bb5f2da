import { describe, expect, it } from 'vitest';
import { metadataOptimizerSteps, metadataRandom, metadataSplit, metadataWholeNumber, shown } from '../../src/training/checkpoint-metadata.js';

describe('metadataWholeNumber', () => {
  it('reads digits, and the fallback (checked alike) when the key is missing', () => {
    expect(metadataWholeNumber({ epoch: '12' }, 'epoch', 0)).toBe(12);
    expect(metadataWholeNumber({}, 'epoch', 0, 0)).toBe(0);
    expect(metadataWholeNumber({}, 'batchSize', 1, 50)).toBe(50);
    expect(() => metadataWholeNumber({}, 'batchSize', 1, 'x')).toThrow(`the checkpoint's metadata 'batchSize' is "x", not a whole number >= 1.`);
    expect(() => metadataWholeNumber({}, 'epoch', 0)).toThrow("the checkpoint's metadata has no 'epoch'.");
  });

  for (const text of ['1.5', '-1', '1e3', '0x10', '', 'two', '9007199254740993']) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      expect(() => metadataWholeNumber({ epoch: text }, 'epoch', 0)).toThrow(`the checkpoint's metadata 'epoch' is ${JSON.stringify(text)}, not a whole number >= 0.`);
    });
  }

  it('refuses a value under the minimum', () => {
    expect(() => metadataWholeNumber({ batchSize: '0' }, 'batchSize', 1)).toThrow(`'batchSize' is "0", not a whole number >= 1.`);
  });
});

describe('metadataRandom and metadataOptimizerSteps', () => {
  it('read what a checkpoint writes', () => {
    expect(metadataRandom({ random: '{"seed":1918889687,"blocks":12}' })).toEqual({ seed: 1918889687, blocks: 12 });
    expect(metadataOptimizerSteps({ optimizerSteps: '{"autoencoder":2,"discriminator":0}' })).toEqual({ autoencoder: 2, discriminator: 0 });
  });

  it('refuse missing keys, bad JSON, other shapes and values that are not whole numbers', () => {
    expect(() => metadataRandom({})).toThrow("the checkpoint's metadata has no 'random'.");
    expect(() => metadataRandom({ random: '{"seed":1' })).toThrow(`the checkpoint's metadata 'random' is not valid JSON: "{\\"seed\\":1".`);
    expect(() => metadataRandom({ random: '[1, 2]' })).toThrow("the checkpoint's metadata 'random' must be a JSON object, not [1,2].");
    expect(() => metadataRandom({ random: '{"seed":1}' })).toThrow("but its blocks is undefined.");
    expect(() => metadataRandom({ random: '{"seed":"1","blocks":0}' })).toThrow('but its seed is "1".');
    expect(() => metadataOptimizerSteps({ optimizerSteps: '{"autoencoder":-1}' })).toThrow("gives 'autoencoder' -1 steps, not a whole number.");
    expect(() => metadataOptimizerSteps({ optimizerSteps: 'null' })).toThrow("'optimizerSteps' must be a JSON object, not null.");
  });
});

describe('metadataSplit', () => {
  it('is empty for older layouts, and reads what a checkpoint writes', () => {
    expect(metadataSplit({})).toEqual({});
    expect(metadataSplit({ split: '{"labels":100,"validation":0,"trainSize":300}' })).toEqual({ labels: 100, validation: 0, trainSize: 300 });
    expect(metadataSplit({ split: '{"labels":"all","validation":10000}' })).toEqual({ labels: 'all', validation: 10000 });
  });

  it('names a bad value', () => {
    expect(() => metadataSplit({ split: '{"labels":0}' })).toThrow(`'split' has labels 0; it must be 'all' or a whole number >= 1.`);
    expect(() => metadataSplit({ split: '{"validation":-5}' })).toThrow(`'split' has validation -5; it must be a whole number.`);
    expect(() => metadataSplit({ split: '{"trainSize":2.5}' })).toThrow(`'split' has trainSize 2.5; it must be a whole number >= 1.`);
  });
});

describe('shown', () => {
  it('cuts a long value short, keeping one line', () => {
    expect(shown('x'.repeat(1000))).toBe(`"${'x'.repeat(56)}...`);
    expect(shown(undefined)).toBe('undefined');
  });
});
