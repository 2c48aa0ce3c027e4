/**
 * The result cache: finished renders (encoded artworks only, never pixels), bounded by their bytes and aged
 * out by a TTL. It is also where GET /api/renders/:id/:file finds an artwork, so an id is servable exactly as
 * long as its render is cached. The artworks' bytes live in an ArtworkStore (on disk by default).
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { StyleId } from '../filters/registry.js';
import { inMemory, type ArtworkBody, type ArtworkStore } from './artwork-store.js';

export interface StoredArtwork {
  /** File extension, as in its URL (imaging's extensionOf). */
  ext: string;
  contentType: string;
  etag: string;
  /** Encoded size in bytes. */
  size: number;
  body: ArtworkBody;
}

export interface CachedRender {
  id: string;
  width: number;
  height: number;
  styles: StyleId[];
  artworks: Map<StyleId, StoredArtwork>;
}

export interface CacheStats {
  /** Bytes of artworks cached, wherever they are kept (the bound applies to these). */
  bytes: number;
  /** Of those, the bytes held in this process's memory (all of them for a memory store). */
  memoryBytes: number;
  entries: number;
  maxBytes: number;
}

export interface ResultCacheOptions {
  maxBytes: number;
  ttlMs: number;
  store: ArtworkStore;
  onEvict?: () => void;
}

/** Bytes a render costs the cache, from its artworks' sizes: them plus a small allowance for the record. */
export function renderBytes(artworkSizes: Iterable<number>): number {
  let n = 256;
  for (const size of artworkSizes) n += size + 64;
  return n;
}

/** A strong ETag from an artwork's bytes. */
export function artworkEtag(data: Uint8Array): string {
  return `"${createHash('sha256').update(data).digest('base64url').slice(0, 27)}"`;
}

/** The render id: sha256 of the upload and the canonical request, as 32 hex digits. */
export function renderId(upload: Uint8Array, canonical: string): string {
  return createHash('sha256').update(upload).update('\0').update(canonical).digest('hex').slice(0, 32);
}

export const RENDER_ID = /^[0-9a-f]{32}$/;

export class ResultCache {
  readonly maxBytes: number;
  readonly store: ArtworkStore;
  private readonly lru: LRUCache<string, CachedRender>;
  private memoryBytes = 0;

  constructor(options: ResultCacheOptions) {
    this.maxBytes = options.maxBytes;
    this.store = options.store;
    this.lru = new LRUCache<string, CachedRender>({
      maxSize: options.maxBytes,
      maxEntrySize: options.maxBytes,
      sizeCalculation: (r) => renderBytes([...r.artworks.values()].map((a) => a.size)),
      ttl: options.ttlMs,
      // Expired entries are dropped on a timer so their bytes do not wait for the next access.
      ttlAutopurge: true,
      // Every way out (evicted, expired, replaced, deleted, cleared) lets the artworks' bytes go.
      dispose: (render, _key, reason) => {
        for (const a of render.artworks.values()) {
          if (inMemory(a.body)) this.memoryBytes -= a.size;
          this.store.drop(a.body);
        }
        if (reason === 'evict' || reason === 'expire') options.onEvict?.();
      },
    });
  }

  get(id: string): CachedRender | undefined {
    return this.lru.get(id);
  }

  has(id: string): boolean {
    return this.lru.has(id);
  }

  /** Whether a render of this many bytes can be cached at all. */
  fits(bytes: number): boolean {
    return bytes <= this.maxBytes;
  }

  set(render: CachedRender): void {
    for (const a of render.artworks.values()) if (inMemory(a.body)) this.memoryBytes += a.size;
    this.lru.set(render.id, render);
  }

  stats(): CacheStats {
    return { bytes: this.lru.calculatedSize, memoryBytes: this.memoryBytes, entries: this.lru.size, maxBytes: this.maxBytes };
  }

  /** Empties the cache and closes its store (a disk store's folder is removed). */
  close(): void {
    this.lru.clear();
    this.store.close();
  }
}
