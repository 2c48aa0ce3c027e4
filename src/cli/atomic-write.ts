/**
 * Writes a file so that it is either complete or absent: the bytes go to a hidden temporary name in the same
 * directory, then one rename publishes them. Temporaries still open when the process is interrupted are
 * removed by removeTemporaries().
 */
import { writeFile, rename, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const pending = new Set<string>();
let counter = 0;

export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}-${++counter}.tmp`);
  pending.add(tmp);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    pending.delete(tmp);
  }
}

/** Synchronous, for signal handlers that exit right after. */
export function removeTemporaries(): void {
  for (const tmp of pending) rmSync(tmp, { force: true });
  pending.clear();
}
