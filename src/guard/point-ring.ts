/**
 * The guard's rolling history: the last `capacity` points, each a record of numbers (or null), kept as one
 * Float64Array column per field, allocated whole when the first point arrives. Its memory is the same from the
 * first second to the last, so a soak sees no ten-minute ramp while an array of objects fills to its bound (the
 * guard keeps ten minutes at one point a second), and the points it holds are no work for the garbage
 * collector. Points are rebuilt as objects only when asked for.
 */
type NumericRecord = Record<string, number | null | undefined>;

/** T: a record whose fields are all numbers (or null). */
export class PointRing<T extends object> {
  private fields: (keyof T & string)[] = [];
  private columns: Float64Array[] = [];
  /** Index of the next write; the oldest point is at `next` once the ring has wrapped. */
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be an integer ≥ 1, got ${capacity}`);
  }

  get size(): number {
    return this.count;
  }

  push(point: T): void {
    if (this.columns.length === 0) {
      this.fields = Object.keys(point) as (keyof T & string)[];
      for (const f of this.fields) {
        const v = (point as NumericRecord)[f];
        if (v !== null && typeof v !== 'number') throw new TypeError(`field ${f} must be a number or null, got ${typeof v}`);
      }
      this.columns = this.fields.map(() => new Float64Array(this.capacity));
    }
    for (let f = 0; f < this.fields.length; f++) {
      const v = (point as NumericRecord)[this.fields[f]];
      // null (no value this second) is kept as NaN; the points held are finite numbers otherwise.
      this.columns[f][this.next] = v === null || v === undefined ? NaN : v;
    }
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** The point `age` steps back (0: the latest), or undefined. */
  at(age: number): T | undefined {
    if (age < 0 || age >= this.count) return undefined;
    return this.point((this.next - 1 - age + this.capacity) % this.capacity);
  }

  /** The points whose `key` is greater than `after`, oldest first (key: a field that grows, such as a time). */
  since(key: keyof T & string, after: number): T[] {
    if (this.count === 0) return [];
    const column = this.columns[this.fields.indexOf(key)];
    if (!column) throw new RangeError(`no field ${key} in the points`);
    const out: T[] = [];
    for (let age = this.count - 1; age >= 0; age--) {
      const i = (this.next - 1 - age + this.capacity) % this.capacity;
      if (column[i] > after) out.push(this.point(i));
    }
    return out;
  }

  private point(i: number): T {
    const p: NumericRecord = {};
    for (let f = 0; f < this.fields.length; f++) {
      const v = this.columns[f][i];
      p[this.fields[f]] = Number.isNaN(v) ? null : v;
    }
    return p as unknown as T;
  }
}
