/**
 * The bytes of uploads the studio holds at once, from the moment a render request arrives (its body not yet
 * read) to its answer. A request reserves its declared Content-Length, or the upload limit when it declares
 * none, before a byte of its body is read: a crowd of clients sending large bodies slowly then costs at most the
 * bound, not their number times the upload limit. The first request is always admitted, so a bound below one
 * upload still lets uploads through one at a time.
 */
export class UploadBudget {
  private held = 0;

  constructor(readonly limit: number) {
    if (!(Number.isSafeInteger(limit) && limit > 0)) throw new RangeError(`limit must be a positive integer of bytes, got ${limit}`);
  }

  get heldBytes(): number {
    return this.held;
  }

  /** Takes `bytes` and returns the function that gives them back (once), or null when they do not fit. */
  reserve(bytes: number): (() => void) | null {
    if (this.held > 0 && this.held + bytes > this.limit) return null;
    this.held += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= bytes;
    };
  }
}
