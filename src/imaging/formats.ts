/**
 * The image formats Atelier reads and writes, and how each is named in files and HTTP. One table, so the CLI's
 * file names, the studio's URLs and its Content-Type headers cannot disagree.
 */
import { AtelierError } from '../errors.js';

export const OUTPUT_FORMATS = ['png', 'jpeg', 'webp', 'avif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

interface FormatInfo {
  /** File extension without the dot, as used in artwork file names and URLs. */
  ext: string;
  mime: string;
  lossless: boolean;
}

const FORMAT_INFO: Record<OutputFormat, FormatInfo> = {
  png: { ext: 'png', mime: 'image/png', lossless: true },
  jpeg: { ext: 'jpg', mime: 'image/jpeg', lossless: false },
  webp: { ext: 'webp', mime: 'image/webp', lossless: false },
  avif: { ext: 'avif', mime: 'image/avif', lossless: false },
};

export function isOutputFormat(s: string): s is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(s);
}

/** Accepts a format name or its extension (`jpg` → `jpeg`), case-insensitively. */
export function parseOutputFormat(s: string, argName = 'format'): OutputFormat {
  const v = String(s).trim().toLowerCase();
  if (isOutputFormat(v)) return v;
  const byExt = OUTPUT_FORMATS.find((f) => FORMAT_INFO[f].ext === v);
  if (byExt) return byExt;
  throw new AtelierError('INVALID_ARGUMENT', `${argName} must be one of ${OUTPUT_FORMATS.join(', ')}, got ${JSON.stringify(s)}`);
}

export function extensionOf(format: OutputFormat): string {
  return FORMAT_INFO[format].ext;
}

export function mimeTypeOf(format: OutputFormat): string {
  return FORMAT_INFO[format].mime;
}

/** The format whose extension (or name) is `ext`, for routes like `/:style.:ext`; undefined if none. */
export function formatFromExtension(ext: string): OutputFormat | undefined {
  const v = ext.toLowerCase();
  return OUTPUT_FORMATS.find((f) => FORMAT_INFO[f].ext === v || f === v);
}

/**
 * Input formats we decode, by sharp's decoder name. Everything else sharp could open (SVG and PDF, which run
 * renderers over untrusted documents; libvips' own, FITS, OpenSlide, raw camera and magick formats) is refused.
 * `heif` is taken only when its compression is AV1 (AVIF); see probe().
 */
export const INPUT_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** The accepted input formats as people name them, for error messages and help texts. */
export const ACCEPTED_INPUT_TEXT = 'JPEG, PNG, WebP, GIF, TIFF or AVIF';

export function isInputFormat(s: string): s is InputFormat {
  return (INPUT_FORMATS as readonly string[]).includes(s);
}
