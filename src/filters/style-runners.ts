// Placeholder until the filter implementations land (issue 2, filters helper replaces this file).
import type { StyleId, StyleRunner } from './registry.js';
import { AtelierError } from '../errors.js';
const pending: StyleRunner = () => { throw new AtelierError('INTERNAL', 'filters are not built yet'); };
export const STYLE_RUNNERS: Record<StyleId, StyleRunner> = {
  sketch: pending, 'color-sketch': pending, oil: pending, watercolor: pending, smooth: pending, detail: pending,
};
