/**
 * Turns the text fields of a render request (query parameters and multipart fields alike) into a validated
 * request: styles, per-style parameters, maxSide, format and quality, plus its canonical string for the cache
 * key. Everything is checked through the style registry; anything unknown is refused, never ignored.
 */
import { AtelierError } from '../errors.js';
import { canonicalRequest, parseStyleList, resolveParams, getStyle, type StyleId, type StyleRequest } from '../filters/registry.js';
import { parseOutputFormat, type OutputFormat } from '../imaging/formats.js';
import { validateInteger } from '../imaging/limits.js';
import type { ServerConfig } from './config.js';

export type RenderFields = Record<string, string | string[] | undefined>;

export interface RenderOptions {
  styles: StyleRequest[];
  maxSide: number;
  format: OutputFormat;
  quality: number;
  /** Same options ⇒ same string; part of the cache key. */
  canonical: string;
}

const GENERAL_FIELDS = new Set(['styles', 'maxSide', 'format', 'quality']);

function single(name: string, value: string | string[] | undefined): string | undefined {
  if (!Array.isArray(value)) return value;
  const distinct = [...new Set(value)];
  if (distinct.length > 1) throw new AtelierError('INVALID_ARGUMENT', `${name} was given ${distinct.length} different values; give it once`);
  return distinct[0];
}

function intField(name: string, raw: string | undefined, min: number, max: number, fallback: number): number {
  return raw === undefined || raw.trim() === '' ? fallback : validateInteger(raw, name, min, max);
}

function formatField(raw: string | undefined, fallback: OutputFormat): OutputFormat {
  return raw === undefined || raw.trim() === '' ? fallback : parseOutputFormat(raw);
}

export function parseRenderFields(fields: RenderFields, config: Pick<ServerConfig, 'defaultMaxSide' | 'maxSideLimit' | 'defaultFormat' | 'defaultQuality'>): RenderOptions {
  const styleIds = parseStyleList(single('styles', fields.styles));
  const given = new Map<StyleId, Record<string, string>>();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || GENERAL_FIELDS.has(key)) continue;
    const dot = key.indexOf('.');
    if (dot <= 0) throw new AtelierError('INVALID_ARGUMENT', `unknown field "${key}"; expected image, styles, maxSide, format, quality or <style>.<param> (e.g. oil.size)`);
    // Parameters of styles that are not requested are still validated, so a typo never passes silently.
    const style = getStyle(key.slice(0, dot)).id;
    const params = given.get(style) ?? {};
    params[key.slice(dot + 1)] = single(key, value) ?? '';
    given.set(style, params);
  }
  for (const [style, params] of given) resolveParams(style, params);
  const styles = styleIds.map((style) => ({ style, params: resolveParams(style, given.get(style) ?? {}) }));
  const maxSide = intField('maxSide', single('maxSide', fields.maxSide), 1, config.maxSideLimit, config.defaultMaxSide);
  const format = formatField(single('format', fields.format), config.defaultFormat);
  const quality = intField('quality', single('quality', fields.quality), 1, 100, config.defaultQuality);
  // Lossless PNG ignores quality, so it must not split the cache.
  const canonical = `${canonicalRequest(styles)}|maxSide=${maxSide}|format=${format}${format === 'png' ? '' : `|quality=${quality}`}`;
  return { styles, maxSide, format, quality, canonical };
}
