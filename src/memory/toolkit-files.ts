/**
 * Where the toolkit's own runnable modules (preloads, the leak-test child) live on disk. They are started as
 * separate Node processes, so they must be compiled JavaScript: from dist/ they sit next to this file; when the
 * toolkit itself runs from src/ through tsx (the test suite), the compiled copy in dist/ is used.
 */
import { existsSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AtelierError } from '../errors.js';

export function toolkitModule(name: string): { path: string; url: string } {
  let path = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  if (!existsSync(path)) path = path.replace(/([\\/])src([\\/]memory[\\/])/, '$1dist$2');
  if (!existsSync(path)) throw new AtelierError('INTERNAL', `toolkit module ${name}.js not found (run npm run build)`);
  return { path, url: pathToFileURL(path).href };
}

const here = dirname(fileURLToPath(import.meta.url));
const toolkitDirs = [here, here.replace(/([\\/])src([\\/]memory)$/, '$1dist$2'), here.replace(/([\\/])dist([\\/]memory)$/, '$1src$2')].map((d) => d + sep);

/** Frames that belong to the toolkit itself (this folder, in src/ or dist/), so allocation sites can skip them. */
export function isToolkitFile(file: string): boolean {
  const path = file.startsWith('file://') ? fileURLToPath(file) : file;
  return toolkitDirs.some((d) => path.startsWith(d));
}
