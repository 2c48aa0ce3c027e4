/**
 * Writes a file so that it is either complete or absent: the bytes go to a hidden temporary name in the same
 * directory, then one rename publishes them. When the process is interrupted, stopWrites() lets the writes in
 * progress roll back (or finish, if they are already renaming) before it exits.
 */
import { writeFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AtelierError } from '../errors.js';

const pending = new Set<Promise<void>>();
let stopped = false;
let counter = 0;

const interrupted = () => new AtelierError('CLIENT_CLOSED', 'interrupted before the file was written');

export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  if (stopped) throw interrupted();
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}-${++counter}.tmp`);
  const write = (async () => {
    try {
      await writeFile(tmp, data);
      if (stopped) throw interrupted();
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  })();
  pending.add(write);
  try {
    await write;
  } finally {
    pending.delete(write);
  }
}

/** Refuses new writes and waits until none is in progress: afterwards no temporary file is left. */
export async function stopWrites(): Promise<void> {
  stopped = true;
  await Promise.allSettled([...pending]);
}
