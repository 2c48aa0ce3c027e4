/** Messages between renderStylesParallel and its workers. */
import type { StageId, StageOptions } from '../filters/stages.js';
import type { StyleParams } from '../filters/registry.js';
import type { BufferKind } from '../filters/workspace.js';

export interface SharedBuffer {
  name: string;
  kind: BufferKind;
  length: number;
  buffer: SharedArrayBuffer;
}

/** Build the steps of one stage over these shared buffers (the main thread built them first). */
export interface BuildMessage {
  type: 'build';
  stage: StageId;
  width: number;
  height: number;
  params: StyleParams;
  options: StageOptions;
  buffers: SharedBuffer[];
}

/** Run step `step` of the built stage over [start, end) rows or columns. */
export interface RunMessage {
  type: 'run';
  step: number;
  start: number;
  end: number;
}

/** Forget the stage and its buffers. */
export interface ReleaseMessage {
  type: 'release';
}

export type ToWorker = BuildMessage | RunMessage | ReleaseMessage;
export type FromWorker = { type: 'done' } | { type: 'error'; message: string };
