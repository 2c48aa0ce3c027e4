/**
 * The piscina worker module: one render job at a time per thread. libvips gets one thread here, because
 * the pool already runs one worker per core.
 */
import sharp from 'sharp';
import { renderJob, type RenderJob, type RenderResult } from './render-job.js';
import { movable, serializeError } from './worker-protocol.js';

sharp.concurrency(1);
// Every upload is new, so libvips' operation cache would only hold memory.
sharp.cache(false);

export default async function run(job: RenderJob): Promise<RenderResult> {
  try {
    return movable(await renderJob(job));
  } catch (e) {
    throw serializeError(e);
  }
}
