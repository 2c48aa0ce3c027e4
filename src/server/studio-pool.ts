/**
 * The render pool as the server sees it. Adapts src/pool (piscina) to the studio's jobs.
 * TEMPORARY shape until the imaging branch lands.
 */
import type { StyleRequest } from '../filters/registry.js';
import type { OutputFormat } from '../imaging/formats.js';
import type { ServerConfig } from './config.js';

export interface StudioJob {
  input: Buffer;
  styles: StyleRequest[];
  maxSide: number;
  format: OutputFormat;
  quality: number;
  maxPixels: number;
}

export interface StudioJobResult {
  width: number;
  height: number;
  artworks: { style: StyleRequest['style']; data: Uint8Array }[];
}

export interface StudioPoolStats {
  threads: number;
  queued: number;
  running: number;
  maxQueue: number;
  utilization: number;
}

export interface StudioPool {
  run(job: StudioJob, options: { signal: AbortSignal }): Promise<StudioJobResult>;
  stats(): StudioPoolStats;
  close(): Promise<void>;
}

export function createStudioPool(_config: ServerConfig): StudioPool {
  throw new Error('pool not merged yet');
}
