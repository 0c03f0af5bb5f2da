/**
 * What is wrong inside a model checkpoint (a metadata value, a tensor), said without the file's path:
 * readModelCheckpoint makes it a CheckpointError that names the file.
 */
export class CheckpointProblem extends Error {
  override name = 'CheckpointProblem';
}
