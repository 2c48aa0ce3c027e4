/**
 * The registry of styles: id → label, parameters (defaults and ranges) and the function that renders it.
 * The web page, the HTTP API and the CLI all read this one table; nothing else lists styles or ranges.
 */
import { AtelierError } from '../errors.js';
import type { PixelImage } from './image.js';
import { STYLE_RUNNERS } from './style-runners.js';

export const STYLE_IDS = ['sketch', 'color-sketch', 'oil', 'watercolor', 'smooth', 'detail'] as const;
export type StyleId = (typeof STYLE_IDS)[number];

/** The four styles rendered when a caller names none. */
export const SEED_STYLES: readonly StyleId[] = ['sketch', 'color-sketch', 'oil', 'watercolor'];

export interface ParamSpec {
  name: string;
  label: string;
  type: 'number' | 'integer';
  min: number;
  max: number;
  default: number;
  step: number;
}

export interface StyleSpec {
  id: StyleId;
  label: string;
  description: string;
  params: readonly ParamSpec[];
}

export type StyleParams = Record<string, number>;

const sigmaS = (def: number): ParamSpec => ({ name: 'sigmaS', label: 'Spatial extent σs', type: 'number', min: 1, max: 200, default: def, step: 1 });
const sigmaR = (def: number): ParamSpec => ({ name: 'sigmaR', label: 'Range σr', type: 'number', min: 0.01, max: 1, default: def, step: 0.01 });
const shade: ParamSpec = { name: 'shade', label: 'Shade', type: 'number', min: 0, max: 0.1, default: 0.02, step: 0.001 };

export const STYLES: readonly StyleSpec[] = [
  { id: 'sketch', label: 'Pencil sketch', description: 'Grey pencil strokes along edges (OpenCV pencilSketch, grey output).', params: [sigmaS(60), sigmaR(0.07), shade] },
  { id: 'color-sketch', label: 'Colour sketch', description: 'Pencil strokes over the photo’s colours (OpenCV pencilSketch, colour output).', params: [sigmaS(60), sigmaR(0.07), shade] },
  {
    id: 'oil',
    label: 'Oil painting',
    description: 'Each pixel takes the mean colour of the most common intensity in its neighbourhood (OpenCV xphoto.oilPainting).',
    params: [
      { name: 'size', label: 'Brush radius', type: 'integer', min: 1, max: 20, default: 7, step: 1 },
      { name: 'dynRatio', label: 'Intensity levels divisor', type: 'integer', min: 1, max: 127, default: 1, step: 1 },
    ],
  },
  { id: 'watercolor', label: 'Watercolor', description: 'Flattened colours with dark outlines (OpenCV stylization).', params: [sigmaS(60), sigmaR(0.45)] },
  { id: 'smooth', label: 'Smooth', description: 'Edge-preserving smoothing (OpenCV edgePreservingFilter, recursive).', params: [sigmaS(60), sigmaR(0.4)] },
  { id: 'detail', label: 'Detail enhance', description: 'Boosts fine detail while keeping edges (OpenCV detailEnhance).', params: [sigmaS(10), sigmaR(0.15)] },
];

const byId = new Map<string, StyleSpec>(STYLES.map((s) => [s.id, s]));

export function isStyleId(id: string): id is StyleId {
  return byId.has(id);
}

export function getStyle(id: string): StyleSpec {
  const spec = byId.get(id);
  if (!spec) throw new AtelierError('UNKNOWN_STYLE', `unknown style "${id}"; expected one of: ${STYLE_IDS.join(', ')}`);
  return spec;
}

/** Parses "a,b,c" (or an array of such) into distinct known style ids, in the order given. */
export function parseStyleList(input: string | readonly string[] | undefined): StyleId[] {
  if (input === undefined) return [...SEED_STYLES];
  const parts = (Array.isArray(input) ? input : [input]).flatMap((s: string) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new AtelierError('INVALID_ARGUMENT', 'styles must name at least one style');
  const out: StyleId[] = [];
  for (const p of parts) {
    const id = getStyle(p).id;
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

/**
 * Fills defaults and validates every parameter of one style. Unknown names and out-of-range values are
 * refused with a message naming the parameter and its range, as `<style>.<param>`.
 */
export function resolveParams(id: StyleId, given: Readonly<Record<string, unknown>> = {}): StyleParams {
  const spec = getStyle(id);
  const out: StyleParams = {};
  for (const name of Object.keys(given)) {
    if (!spec.params.some((p) => p.name === name)) {
      const known = spec.params.map((p) => p.name).join(', ');
      throw new AtelierError('INVALID_ARGUMENT', `unknown parameter "${id}.${name}"; ${id} takes: ${known}`);
    }
  }
  for (const p of spec.params) {
    const raw = given[p.name];
    if (raw === undefined || raw === '') {
      out[p.name] = p.default;
      continue;
    }
    const v = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
    const kind = p.type === 'integer' ? 'an integer' : 'a number';
    if (!Number.isFinite(v) || (p.type === 'integer' && !Number.isInteger(v)) || v < p.min || v > p.max) {
      throw new AtelierError('INVALID_ARGUMENT', `${id}.${p.name} must be ${kind} from ${p.min} to ${p.max}, got ${JSON.stringify(raw)}`);
    }
    out[p.name] = v;
  }
  return out;
}

/** A canonical string of a style request, for cache keys: same styles and values give the same string. */
export function canonicalRequest(requests: readonly { style: StyleId; params: StyleParams }[]): string {
  return requests
    .map((r) => `${r.style}(${Object.keys(r.params).sort().map((k) => `${k}=${r.params[k]}`).join(',')})`)
    .join(';');
}

export interface StyleRequest {
  style: StyleId;
  params: StyleParams;
}

export type StyleRunner = (rgb: PixelImage, params: StyleParams, shared: Map<string, unknown>) => PixelImage;

/** The function that renders each style; see style-runners.ts. */
export function styleRunner(id: StyleId): StyleRunner {
  return STYLE_RUNNERS[id];
}
