/** Turns sharp/libvips failures into AtelierError codes, so callers never parse sharp's messages. */
import { AtelierError, isAtelierError } from '../errors.js';
import { ACCEPTED_INPUT_TEXT } from './formats.js';

/** libvips joins its warnings with newlines; a user sees the first, most specific line only. */
function firstLine(message: string): string {
  return message.split('\n').map((l) => l.trim()).find(Boolean) ?? message;
}

/**
 * `stage` says what was being done, so a failure after a successful header read is a corrupt image, not an
 * unknown format.
 */
export function fromSharpError(e: unknown, stage: 'probe' | 'decode' | 'encode'): AtelierError {
  if (isAtelierError(e)) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (/unsupported image format/i.test(msg)) {
    return new AtelierError('UNSUPPORTED_MEDIA_TYPE', `not an image, or not a format Atelier reads (${ACCEPTED_INPUT_TEXT})`, { cause: e });
  }
  if (/is empty/i.test(msg)) return new AtelierError('EMPTY_INPUT', 'the image is empty (0 bytes)', { cause: e });
  if (/exceeds pixel limit/i.test(msg)) return new AtelierError('TOO_MANY_PIXELS', 'the image has more pixels than the limit', { cause: e });
  if (stage === 'encode') return new AtelierError('INTERNAL', `encoding failed: ${firstLine(msg)}`, { cause: e });
  const detail = firstLine(msg.replace(/^Input buffer has corrupt header:\s*/i, ''));
  return new AtelierError('CORRUPT_IMAGE', `truncated or corrupt image${detail ? ` (${detail})` : ''}`, { cause: e });
}
