/**
 * The result cache: finished renders (encoded artworks only, never pixels), bounded by their bytes and aged
 * out by a TTL. It is also where GET /api/renders/:id/:file finds an artwork, so an id is servable exactly as
 * long as its render is cached.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { StyleId } from '../filters/registry.js';

export interface StoredArtwork {
  /** File extension, as in its URL (imaging's extensionOf). */
  ext: string;
  contentType: string;
  etag: string;
  data: Buffer;
}

export interface CachedRender {
  id: string;
  width: number;
  height: number;
  styles: StyleId[];
  artworks: Map<StyleId, StoredArtwork>;
}

export interface CacheStats {
  bytes: number;
  entries: number;
  maxBytes: number;
}

export interface ResultCacheOptions {
  maxBytes: number;
  ttlMs: number;
  onEvict?: () => void;
}

/** Bytes an entry costs: its artworks plus a small allowance for the record itself. */
export function renderBytes(r: CachedRender): number {
  let n = 256;
  for (const a of r.artworks.values()) n += a.data.byteLength + 64;
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
  private readonly lru: LRUCache<string, CachedRender>;

  constructor(options: ResultCacheOptions) {
    this.maxBytes = options.maxBytes;
    this.lru = new LRUCache<string, CachedRender>({
      maxSize: options.maxBytes,
      maxEntrySize: options.maxBytes,
      sizeCalculation: renderBytes,
      ttl: options.ttlMs,
      // Expired entries are dropped on a timer so their bytes do not wait for the next access.
      ttlAutopurge: true,
      dispose: (_value, _key, reason) => {
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
    this.lru.set(render.id, render);
  }

  stats(): CacheStats {
    return { bytes: this.lru.calculatedSize, entries: this.lru.size, maxBytes: this.maxBytes };
  }

  clear(): void {
    this.lru.clear();
  }
}
