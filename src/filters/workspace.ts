/**
 * Where a style keeps its buffers, and how its work is cut into steps that can run on ranges of rows or columns.
 *
 * A style is built as a list of steps over named buffers. Run on one thread, every step gets the whole range;
 * src/parallel builds the very same steps in each worker over SharedArrayBuffer-backed buffers of the same names
 * and hands each worker a sub-range. A step only writes the rows (or columns) of its range, so the result does
 * not depend on how the range was cut.
 */
export type Axis = 'rows' | 'cols';

export interface Step {
  /** 'rows': `run` takes a range of rows [start, end); 'cols': a range of columns. */
  axis: Axis;
  run(start: number, end: number): void;
}

export type BufferKind = 'u8' | 'u16' | 'f32';
export type BufferOf<K extends BufferKind> = K extends 'u8' ? Uint8Array : K extends 'u16' ? Uint16Array : Float32Array;

/**
 * What a buffer holds when first made: 'zeroed', or 'overwritten' for one whose steps write every element before
 * any is read, which a pool may then hand back with an earlier job's contents (zero-filling the buffers of the four
 * seed styles at 1 MP cost ~3.5 ms a call, nearly all of it for buffers that are overwritten anyway).
 */
export type BufferContents = 'zeroed' | 'overwritten';

export interface Workspace {
  /** The buffer called `name`, made on first use as `contents` says (default 'zeroed'); the same kind and length every time. */
  get<K extends BufferKind>(name: string, kind: K, length: number, contents?: BufferContents): BufferOf<K>;
}

const BYTES: Record<BufferKind, number> = { u8: 1, u16: 2, f32: 4 };

export function typedView<K extends BufferKind>(kind: K, buffer: ArrayBufferLike, length: number, byteOffset = 0): BufferOf<K> {
  const view =
    kind === 'u8' ? new Uint8Array(buffer, byteOffset, length) : kind === 'u16' ? new Uint16Array(buffer, byteOffset, length) : new Float32Array(buffer, byteOffset, length);
  return view as BufferOf<K>;
}

export interface NamedBuffer {
  kind: BufferKind;
  length: number;
  buffer: ArrayBufferLike;
  byteOffset: number;
}

export interface BufferPoolOptions {
  /**
   * Most bytes of free buffers kept for reuse (default: no bound, for a pool that lives as long as one
   * renderStyles call). A buffer given back past the bound is dropped to the garbage collector, so a pool that
   * lives as long as a thread holds at most this much once a job is over, whatever the largest job was.
   */
  maxFreeBytes?: number;
  /**
   * Allocate in size classes (half an octave apart: 1 and 1.5 × a power of two) rather than the exact size asked.
   * For a pool that serves one image after another, of sizes that vary: with exact sizes, a job whose image is a
   * little larger than the last one's finds no buffer big enough and allocates a whole new set while the old one
   * waits, free and useless, for the trim after the job; and a smaller job after it takes the smaller buffers,
   * so the larger set is trimmed and the next large job allocates it again. With classes this coarse, images of
   * similar sizes ask for the same buffers and the pool settles on one set. Costs up to 50% of slack per buffer
   * (measured on the studio's job mix: BENCHMARKS.md, "Worker buffer pools"). Such a pool also never hands out a
   * free buffer more than twice the class asked for (a grey plane given an RGB plane's buffer): the large
   * buffer stays free for the large request that will follow, rather than making it allocate another.
   */
  sizeClasses?: boolean;
}

/** The smallest size class ≥ bytes: a multiple of half the largest power of two ≤ bytes. */
export function sizeClass(bytes: number): number {
  if (bytes <= 4096) return bytes;
  const half = 2 ** Math.floor(Math.log2(bytes)) / 2;
  return Math.ceil(bytes / half) * half;
}

/**
 * Buffers handed from one style to the next: a run of styles then holds one set of working buffers instead of
 * leaving each style's to the garbage collector while the next allocates its own. Kept for a thread's life (the
 * render workers do), it also hands one job's buffers to the next.
 */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];
  private readonly maxFreeBytes: number;
  private readonly sizeClasses: boolean;
  private freeTotal = 0;
  private allocated = 0;
  private allocations = 0;
  private trims = 0;
  private trimmedBytes = 0;
  /**
   * Buffers handed out since the last trim(): the working set of the latest job. Weak, so a buffer the caller
   * keeps (an output it never gives back) is not held here by a pool that is never trimmed.
   */
  private recent = new WeakSet<ArrayBuffer>();

  constructor(opts: BufferPoolOptions = {}) {
    const max = opts.maxFreeBytes ?? Infinity;
    if (!(max >= 0)) throw new RangeError(`maxFreeBytes must be a number ≥ 0, got ${String(opts.maxFreeBytes)}`);
    this.maxFreeBytes = max;
    this.sizeClasses = opts.sizeClasses ?? false;
  }

  /**
   * The smallest free buffer of at least `bytes` (see sizeClasses), or a new one. Its first `bytes` are zeroed,
   * unless `zero` is false: the caller then overwrites them before reading them.
   */
  take(bytes: number, zero = true): ArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const len = this.free[i].byteLength;
      if (len >= bytes && (best < 0 || len < this.free[best].byteLength)) best = i;
    }
    if (best >= 0 && this.sizeClasses && this.free[best].byteLength > 2 * sizeClass(bytes)) best = -1;
    if (best < 0) {
      const size = this.sizeClasses ? sizeClass(bytes) : bytes;
      this.allocated += size;
      this.allocations++;
      const fresh = new ArrayBuffer(size);
      this.recent.add(fresh);
      return fresh;
    }
    const b = this.free.splice(best, 1)[0];
    this.freeTotal -= b.byteLength;
    if (zero) new Uint8Array(b, 0, bytes).fill(0);
    this.recent.add(b);
    return b;
  }

  /**
   * Drops the free buffers that nothing took since the previous trim. Called between jobs, it keeps the pool
   * to the latest job's working set: images of other sizes would otherwise leave buffers that fit no request
   * of the next job, held on top of the ones it allocates.
   */
  trim(): void {
    this.trims++;
    for (let i = this.free.length - 1; i >= 0; i--) {
      const b = this.free[i];
      if (this.recent.has(b)) continue;
      this.free.splice(i, 1);
      this.freeTotal -= b.byteLength;
      this.trimmedBytes += b.byteLength;
    }
    this.recent = new WeakSet();
  }

  /** Drops every free buffer (a thread that has gone idle gives its memory back). */
  clear(): void {
    for (const b of this.free) this.trimmedBytes += b.byteLength;
    this.free.length = 0;
    this.freeTotal = 0;
    this.recent = new WeakSet();
  }

  give(b: ArrayBuffer): void {
    if (this.free.includes(b)) return;
    this.free.push(b);
    this.freeTotal += b.byteLength;
    // Past the bound, the largest free buffers go first: they are the ones a rare huge job left behind.
    if (this.freeTotal > this.maxFreeBytes) {
      this.free.sort((x, y) => x.byteLength - y.byteLength);
      while (this.freeTotal > this.maxFreeBytes) this.freeTotal -= this.free.pop()!.byteLength;
    }
  }

  /** What the pool has done so far: bytes and count of buffers it had to allocate, bytes it holds free now, trims. */
  stats(): { allocatedBytes: number; allocations: number; freeBytes: number; freeBuffers: number; trims: number; trimmedBytes: number } {
    return { allocatedBytes: this.allocated, allocations: this.allocations, freeBytes: this.freeTotal, freeBuffers: this.free.length, trims: this.trims, trimmedBytes: this.trimmedBytes };
  }
}

/**
 * One instance of each class the filters instantiate per call, kept for the life of the process, so that the class's
 * hidden class (its map) outlives the instances a call makes. A forced full GC (the render workers run one when dead
 * buffers pile up: memory/collect-garbage.ts) frees a map no live object uses at once, where V8's own GCs keep it a
 * while; the optimised code and type feedback that named the map are then thrown away, and the next render ran its
 * kernels unoptimised while V8 compiled them again: oil's paintRow alone ~160 ms of compiler time per forced GC, and
 * a 100-upload bench:load 8.1 s of compiling, against 3.5 s with the shapes kept (V8's --trace-opt/--trace-deopt:
 * "marking dependent code for deoptimization, reason: weak objects"; BENCHMARKS.md, "Studio load", session 8).
 */
const SHAPES: object[] = [];
export function keepShape<T extends object>(instance: T): T {
  SHAPES.push(instance);
  return instance;
}

/** A workspace that creates its buffers on demand, on the heap or (for workers to share) as SharedArrayBuffers. */
export class MapWorkspace implements Workspace {
  readonly buffers = new Map<string, NamedBuffer>();
  private readonly created = new Set<string>();
  constructor(private readonly shared = false, private readonly pool?: BufferPool) {}

  /** Gives the buffers this workspace created back to its pool, except those named in `keep`. */
  release(keep: readonly string[]): void {
    if (!this.pool) return;
    for (const name of this.created) {
      const b = this.buffers.get(name)!;
      if (!keep.includes(name) && b.buffer instanceof ArrayBuffer) this.pool.give(b.buffer);
    }
    this.buffers.clear();
    this.created.clear();
  }

  get<K extends BufferKind>(name: string, kind: K, length: number, contents: BufferContents = 'zeroed'): BufferOf<K> {
    let b = this.buffers.get(name);
    if (!b) {
      const bytes = length * BYTES[kind];
      const buffer = this.shared ? new SharedArrayBuffer(bytes) : this.pool ? this.pool.take(bytes, contents === 'zeroed') : new ArrayBuffer(bytes);
      b = { kind, length, byteOffset: 0, buffer };
      this.buffers.set(name, b);
      this.created.add(name);
    } else if (b.kind !== kind || b.length !== length) {
      throw new Error(`buffer "${name}" was made as ${b.kind}[${b.length}], asked as ${kind}[${length}]`);
    }
    return typedView(kind, b.buffer, length, b.byteOffset);
  }

  /** Puts an existing array under `name` (e.g. the input pixels), without copying. */
  put(name: string, kind: BufferKind, array: Uint8Array | Uint16Array | Float32Array): void {
    this.buffers.set(name, { kind, length: array.length, buffer: array.buffer, byteOffset: array.byteOffset });
  }
}
keepShape(new MapWorkspace());

/** Runs steps one after the other over their whole range, on this thread. */
export function runSteps(steps: readonly Step[], width: number, height: number): void {
  for (const s of steps) s.run(0, s.axis === 'rows' ? height : width);
}

/** A clamping view of an 8-bit buffer: storing a number rounds half to even, saturates to 0..255, NaN → 0. */
export function clamped(u8: Uint8Array): Uint8ClampedArray {
  return new Uint8ClampedArray(u8.buffer, u8.byteOffset, u8.length);
}
