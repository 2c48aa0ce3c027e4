/**
 * Renders many files through the render pool with bounded memory: at most two inputs per thread are read,
 * rendering or being written at any moment, whatever the number of files. A single file has all the cores to
 * itself instead. Each failed input is reported once and the others carry on.
 */
import { readFile } from 'node:fs/promises';
import { join, parse, resolve } from 'node:path';
import type { StyleId, StyleParams } from '../filters/registry.js';
import { extensionOf, type OutputFormat } from '../imaging/formats.js';
import { createRenderPool } from '../pool/render-pool.js';
import { renderJob, type RenderJob, type RenderResult } from '../pool/render-job.js';
import { renderStylesParallel, closeFilterThreads } from '../parallel/index.js';
import { AtelierError, isAtelierError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import type { BatchProgress } from './progress.js';

export interface BatchSettings {
  inputs: readonly string[];
  outDir: string;
  requests: readonly { style: StyleId; params: StyleParams }[];
  format: OutputFormat;
  quality?: number;
  maxSide: number;
  maxPixels: number;
  threads: number;
}

export interface BatchOutcome {
  rendered: number;
  failed: number;
  written: string[];
}

/** `<dir>/<input file name without its extension>.<style>.<ext>` */
export function artworkPath(outDir: string, input: string, style: StyleId, format: OutputFormat): string {
  return join(outDir, `${parse(input).name}.${style}.${extensionOf(format)}`);
}

const FS_MESSAGES: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory, not an image file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device',
  ERR_FS_FILE_TOO_LARGE: 'the file is too large to read',
};

export function describeFailure(e: unknown): string {
  if (isAtelierError(e)) {
    return e.code === 'TOO_MANY_PIXELS' ? `${e.message} (raise it with --max-pixels)` : e.message;
  }
  const code = (e as { code?: string } | null)?.code;
  if (code && FS_MESSAGES[code]) return FS_MESSAGES[code];
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

interface Planned {
  input: string;
  outputs: { style: StyleId; path: string }[];
}

/**
 * Each input once, in the order given. An input whose artworks would land on another input's artworks (same
 * name in two folders) or on an input file is refused before anything runs.
 */
function plan(settings: BatchSettings, refuse: (input: string, why: string) => void): Planned[] {
  const inputPaths = new Set(settings.inputs.map((f) => resolve(f)));
  const seenInputs = new Set<string>();
  const owner = new Map<string, string>();
  const out: Planned[] = [];
  for (const input of settings.inputs) {
    const abs = resolve(input);
    if (seenInputs.has(abs)) continue;
    seenInputs.add(abs);
    const outputs = settings.requests.map((r) => ({ style: r.style, path: artworkPath(settings.outDir, input, r.style, settings.format) }));
    const clash = outputs.find((o) => owner.has(resolve(o.path)) || inputPaths.has(resolve(o.path)));
    if (clash) {
      const other = owner.get(resolve(clash.path));
      refuse(input, other ? `not rendered: its artworks would overwrite those of ${other} (same file name)` : `not rendered: ${clash.path} would overwrite an input file`);
      continue;
    }
    for (const o of outputs) owner.set(resolve(o.path), input);
    out.push({ input, outputs });
  }
  return out;
}

export async function renderBatch(settings: BatchSettings, progress: BatchProgress, signal?: AbortSignal): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { rendered: 0, failed: 0, written: [] };
  const refuse = (input: string, why: string) => {
    outcome.failed++;
    progress.fail(`atelier: ${input}: ${why}`);
    progress.tick(input);
  };
  progress.start(new Set(settings.inputs.map((f) => resolve(f))).size);
  const jobs = plan(settings, refuse);
  if (jobs.length === 0) return outcome;

  const threads = Math.min(settings.threads, jobs.length);
  const renderer = jobs.length === 1 && settings.threads > 1 ? oneLargeImage(settings.threads) : manyImages(threads);

  async function renderOne({ input, outputs }: Planned): Promise<void> {
    try {
      const bytes = await readFile(input);
      const result = await renderer.run(
        { input: bytes, requests: settings.requests, format: settings.format, quality: settings.quality, maxSide: settings.maxSide, maxPixels: settings.maxPixels },
        signal,
      );
      for (const { style, path } of outputs) {
        const data = result.artworks[style];
        if (!data) throw new AtelierError('INTERNAL', `the ${style} artwork is missing from the result`);
        await writeFileAtomic(path, data);
        outcome.written.push(path);
      }
      outcome.rendered++;
    } catch (e) {
      if (signal?.aborted) return;
      outcome.failed++;
      progress.fail(`atelier: ${input}: ${describeFailure(e)}`);
    } finally {
      progress.tick(input);
    }
  }

  // Two inputs per thread keep every thread busy (one rendering, one read and waiting) and memory bounded.
  let next = 0;
  const lane = async () => {
    while (next < jobs.length && !signal?.aborted) await renderOne(jobs[next++]);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(threads * 2, jobs.length) }, lane));
  } finally {
    await renderer.close();
  }
  return outcome;
}

interface Renderer {
  run(job: RenderJob, signal?: AbortSignal): Promise<RenderResult>;
  close(): Promise<void>;
}

/** Many inputs: one per worker thread of the render pool. */
function manyImages(threads: number): Renderer {
  const pool = createRenderPool({ threads, maxQueue: threads });
  return { run: (job, signal) => pool.run(job, { signal }), close: () => pool.close({ force: true }) };
}

/**
 * A single input would leave all but one pool thread idle, so it is decoded and encoded here (sharp works off
 * the event loop) and its filters run on every core at once; the result is the same to the bit.
 */
function oneLargeImage(threads: number): Renderer {
  return {
    run: (job) => renderJob(job, (image, requests) => renderStylesParallel(image, requests, { threads })),
    close: () => closeFilterThreads(),
  };
}
