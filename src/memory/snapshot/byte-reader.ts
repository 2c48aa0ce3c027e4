import { closeSync, openSync, readSync } from 'node:fs';
import { AtelierError } from '../../errors.js';

/**
 * A window over a file (or an in-memory byte array) that the snapshot parser reads forward through.
 * Reads are synchronous and chunked: the parser's hot loops stay plain loops over a Buffer, and only the bytes
 * of the value being read (one number, one string) are ever kept across a refill, never the whole text.
 */
export class ByteReader {
  buf: Buffer;
  /** Next unread byte in `buf`. */
  pos = 0;
  /** End of valid bytes in `buf`. */
  end = 0;
  /** File offset of `buf[0]`, so errors can name the byte. */
  base = 0;
  /** When >= 0, bytes from here on must survive a refill (a string being scanned). */
  mark = -1;
  private fd: number | null = null;
  private eof = false;
  readonly label: string;

  constructor(source: string | Uint8Array, chunkSize = 1 << 22) {
    if (typeof source === 'string') {
      this.label = source;
      try {
        this.fd = openSync(source, 'r');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new AtelierError(code === 'ENOENT' ? 'NOT_FOUND' : 'BAD_SNAPSHOT', `${source}: cannot open (${code ?? String(e)})`, { cause: e });
      }
      this.buf = Buffer.allocUnsafe(chunkSize);
    } else {
      this.label = '<buffer>';
      this.buf = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
      this.end = this.buf.length;
      this.eof = true;
    }
  }

  /** Byte offset in the file of `buf[i]`. */
  offset(i: number): number {
    return this.base + i;
  }

  /**
   * Brings more bytes in after `end`, keeping everything from `mark` (or `pos`) on. Indexes into `buf` move:
   * callers reload `pos`/`end`/`mark` after a call. Returns false at the end of the input.
   */
  fill(): boolean {
    if (this.eof) return false;
    const keep = this.mark >= 0 ? this.mark : this.pos;
    if (keep > 0) {
      this.buf.copyWithin(0, keep, this.end);
      this.base += keep;
      this.end -= keep;
      this.pos -= keep;
      if (this.mark >= 0) this.mark -= keep;
    }
    // One byte stays free after `end` for a sentinel (see below).
    if (this.end >= this.buf.length - 1) {
      // One value longer than the window (a huge string): grow rather than lose it.
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.end);
      this.buf = bigger;
    }
    let n: number;
    try {
      n = readSync(this.fd!, this.buf, this.end, this.buf.length - this.end - 1, null);
    } catch (e) {
      throw new AtelierError('BAD_SNAPSHOT', `${this.label}: cannot read at byte ${this.offset(this.end)} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
    }
    if (n === 0) {
      this.eof = true;
      return false;
    }
    this.end += n;
    // A non-digit, non-separator sentinel after the data lets digit and space loops run without bounds checks.
    this.buf[this.end] = 0;
    return true;
  }

  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }

  truncated(what: string): AtelierError {
    return new AtelierError('BAD_SNAPSHOT', `${this.label}: truncated at byte ${this.offset(this.end)} (inside ${what})`);
  }

  /** `i` is the index in `buf` of the offending byte. */
  expected(what: string, i: number): AtelierError {
    const b = i < this.end ? this.buf[i] : -1;
    const got = b < 0 ? 'end of input' : b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16)}`;
    return new AtelierError('BAD_SNAPSHOT', `${this.label}: expected ${what} at byte ${this.offset(i)}, found ${got}`);
  }

  invalid(message: string): AtelierError {
    return new AtelierError('BAD_SNAPSHOT', `${this.label}: ${message}`);
  }
}
