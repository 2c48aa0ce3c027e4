/**
 * Every style as a list of stages, each stage a builder of steps over a workspace. The single-thread runners
 * (style-runners.ts) and the workers of src/parallel build the same stages by name, which is what makes the
 * parallel result identical to the single-thread one.
 */
import { colorSketchSteps, penName, penSteps, sketchSteps } from './pencil-sketch.js';
import { oilSteps } from './oil-painting.js';
import { watercolorSteps } from './watercolor.js';
import { smoothSteps } from './smooth.js';
import { detailSteps } from './detail-enhance.js';
import type { StyleId, StyleParams } from './registry.js';
import type { Step, Workspace } from './workspace.js';

export type StageId = 'pen' | StyleId;

export interface StageOptions {
  /** The photo was one grey channel (renderStyles knows; the runners see three equal channels). */
  greyInput: boolean;
}

export type StageBuilder = (ws: Workspace, width: number, height: number, params: StyleParams, opts: StageOptions) => Step[];

export const STAGES: Record<StageId, StageBuilder> = {
  pen: penSteps,
  sketch: sketchSteps,
  'color-sketch': colorSketchSteps,
  oil: oilSteps,
  watercolor: watercolorSteps,
  smooth: smoothSteps,
  detail: detailSteps,
};

/** Channels of each style's output ('out' buffer). */
export function outputChannels(style: StyleId): 1 | 3 {
  return style === 'sketch' ? 1 : 3;
}

/** Work another style may reuse: the pen of the two sketches, keyed by the parameters it depends on. */
export function sharedBufferName(style: StyleId, params: StyleParams): string | null {
  return style === 'sketch' || style === 'color-sketch' ? penName(params) : null;
}

/** The stages of a style; the shared stage is left out when its buffer is already there. */
export function stagesOf(style: StyleId, haveShared: boolean): StageId[] {
  if (style === 'sketch' || style === 'color-sketch') return haveShared ? [style] : ['pen', style];
  return [style];
}
