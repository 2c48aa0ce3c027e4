/**
 * Where the result cache keeps the bytes of its artworks. The cache itself (result-cache.ts) decides what is
 * kept and for how long; a store only holds bytes and gives them back.
 *
 * - 'disk' (the default): each artwork is a file in a private folder. The process holds only the cache's
 *   index; the bytes live in files, which the kernel keeps in its page cache while memory is plentiful and
 *   drops when it is needed. The cache's 128 MB is then not part of the server's RSS, and is reclaimable
 *   rather than pinned.
 * - 'memory': each artwork is a Buffer held by the process.
 *
 * A disk store that cannot write (disk full, folder removed or unwritable) keeps that artwork in memory
 * instead and reports it through `onWriteError`: the render is still answered, and the cache's byte bound
 * still covers it.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { open, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

export const ARTWORK_STORES = ['disk', 'memory'] as const;
export type ArtworkStoreKind = (typeof ARTWORK_STORES)[number];

/** An artwork's bytes as a store keeps them. */
export type ArtworkBody = InMemory | OnDisk;
interface InMemory {
  readonly data: Buffer;
}
interface OnDisk {
  readonly path: string;
}

export interface ArtworkStore {
  readonly kind: ArtworkStoreKind;
  /** The folder of a disk store (undefined for memory). */
  readonly dir?: string;
  /** Keeps `data` under a name unique to this call; resolves once it can be read back. */
  put(name: string, data: Buffer): Promise<ArtworkBody>;
  /** The bytes for an answer, or undefined when they are gone (dropped meanwhile). */
  read(body: ArtworkBody): Promise<Buffer | Readable | undefined>;
  /** Lets the bytes go (the cache evicted their render). */
  drop(body: ArtworkBody): void;
  /** Drops everything, and a disk store's folder. */
  close(): void;
}

export function inMemory(body: ArtworkBody): body is InMemory {
  return 'data' in body;
}

class MemoryStore implements ArtworkStore {
  readonly kind = 'memory' as const;
  async put(_name: string, data: Buffer): Promise<ArtworkBody> {
    return { data };
  }
  async read(body: ArtworkBody): Promise<Buffer | undefined> {
    return inMemory(body) ? body.data : undefined;
  }
  drop(): void {}
  close(): void {}
}

const FOLDER_PREFIX = 'atelier-cache-';
/** A store folder's name: the prefix, its server's pid, mkdtemp's suffix. */
const ORPHAN_NAME = new RegExp(`^${FOLDER_PREFIX}(\\d+)-`);

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the folders of disk stores whose process is gone (a server killed without its shutdown). */
function removeOrphanFolders(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const m = ORPHAN_NAME.exec(name);
    if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue;
    try {
      rmSync(join(parent, name), { recursive: true, force: true });
    } catch {
      // Another user's folder in a shared /tmp: theirs to remove.
    }
  }
}

class DiskStore implements ArtworkStore {
  readonly kind = 'disk' as const;
  readonly dir: string;
  private sequence = 0;
  private closed = false;

  constructor(parent: string, private readonly onWriteError: (error: Error) => void) {
    removeOrphanFolders(parent);
    // Private to this process (mode 0700), named after its pid so a later server can tell it is orphaned.
    this.dir = mkdtempSync(join(parent, `${FOLDER_PREFIX}${process.pid}-`));
  }

  async put(name: string, data: Buffer): Promise<ArtworkBody> {
    // A name is never reused: the same render stored twice at once must not share a file one of them deletes.
    const path = join(this.dir, `${++this.sequence}-${name}`);
    try {
      if (this.closed) throw new Error('the artwork store is closed');
      await writeFile(path, data, { flag: 'wx', mode: 0o600 });
      return { path };
    } catch (e) {
      this.onWriteError(e as Error);
      unlink(path).catch(() => {});
      return { data };
    }
  }

  async read(body: ArtworkBody): Promise<Buffer | Readable | undefined> {
    if (inMemory(body)) return body.data;
    try {
      // Opened before answering: a file evicted after this still reads to its end (Linux keeps unlinked files
      // readable while open), and one evicted before it is simply not found.
      const handle = await open(body.path, 'r');
      return handle.createReadStream();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  drop(body: ArtworkBody): void {
    if (!inMemory(body)) unlink(body.path).catch(() => {});
  }

  close(): void {
    this.closed = true;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ArtworkStoreOptions {
  kind: ArtworkStoreKind;
  /** Parent of a disk store's private folder. */
  parent: string;
  /** A disk write failed and the artwork was kept in memory. */
  onWriteError?: (error: Error) => void;
}

/** A disk store whose folder cannot be made falls back to memory (reported through onWriteError). */
export function createArtworkStore(options: ArtworkStoreOptions): ArtworkStore {
  const onWriteError = options.onWriteError ?? (() => {});
  if (options.kind === 'memory') return new MemoryStore();
  try {
    return new DiskStore(options.parent, onWriteError);
  } catch (e) {
    onWriteError(e as Error);
    return new MemoryStore();
  }
}
