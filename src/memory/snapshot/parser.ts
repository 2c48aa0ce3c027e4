import { ByteReader } from './byte-reader.js';
import { AtelierError } from '../../errors.js';

/**
 * Streaming reader of V8 `.heapsnapshot` files. The file is a JSON object whose big arrays (nodes, edges,
 * strings) are read straight from the bytes into typed arrays sized from `snapshot.node_count/edge_count`;
 * numbers are accumulated digit by digit without making strings. Field order always comes from `meta`.
 */

export interface SnapshotMeta {
  nodeFields: string[];
  nodeTypes: string[];
  edgeFields: string[];
  edgeTypes: string[];
  traceFunctionInfoFields: string[];
  traceNodeFields: string[];
  locationFields: string[];
}

export interface RawSnapshot {
  meta: SnapshotMeta;
  nodeCount: number;
  edgeCount: number;
  /**
   * One typed array per node field, named as in `meta.node_fields`: `type` and `detachedness` are bytes,
   * `self_size` is Float64 (sizes may exceed 32 bits), every other field Uint32.
   */
  nodeColumns: Record<string, Column>;
  /**
   * One typed array per edge field (`type` bytes, others Uint32); `to_node` is converted to a node ordinal.
   * Empty arrays when parsed with `skipEdges`.
   */
  edgeColumns: Record<string, Column>;
  /** True when the edges were read but not kept (`skipEdges`). */
  edgesSkipped: boolean;
  strings: string[];
  /** Flat, `meta.traceFunctionInfoFields.length` values per function (empty without allocation tracking). */
  traceFunctionInfos: number[];
  /** The nested `trace_tree` array as in the file (empty without allocation tracking). */
  traceTree: unknown[];
  /** Flat, `meta.locationFields.length` values per location. */
  locations: number[];
  /** Size of the file in bytes. */
  byteLength: number;
}

const WS_SPACE = 32, WS_TAB = 9, WS_LF = 10, WS_CR = 13;
const COMMA = 44, COLON = 58, QUOTE = 34, BACKSLASH = 92;
const LBRACKET = 91, RBRACKET = 93, LBRACE = 123, RBRACE = 125, MINUS = 45;
const DIGIT_0 = 48, DIGIT_9 = 57;

function isSpace(c: number): boolean {
  return c === WS_SPACE || c === WS_LF || c === WS_CR || c === WS_TAB;
}

export type Column = Uint8Array | Uint32Array | Float64Array;

/** Buffer's undocumented but long-standing slice decoders, without toString's argument checks. */
type FastSlices = Buffer & { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string };

export interface ParseOptions {
  /** Bytes per read (default 4 MiB); small values exercise chunk boundaries in tests. */
  chunkSize?: number;
  /**
   * Check the edges' syntax and count but keep none of them: enough for per-type counts and the id sets of a
   * diff's earlier snapshots, at a fraction of the memory.
   */
  skipEdges?: boolean;
}

const BYTE_FIELDS = new Set(['type', 'detachedness']);

function makeColumns(fields: string[], count: number, wide: string | null): { list: Column[]; byName: Record<string, Column>; limits: Float64Array } {
  const list: Column[] = [];
  const byName: Record<string, Column> = {};
  const limits = new Float64Array(fields.length);
  fields.forEach((f, k) => {
    let col: Column;
    try {
      col = f === wide ? new Float64Array(count) : BYTE_FIELDS.has(f) ? new Uint8Array(count) : new Uint32Array(count);
    } catch (e) {
      throw new AtelierError('BAD_SNAPSHOT', `the snapshot declares ${count} records: more than this process can hold (${(e as Error).message})`, { cause: e });
    }
    list.push(col);
    byName[f] = col;
    limits[k] = f === wide ? Number.MAX_SAFE_INTEGER : BYTE_FIELDS.has(f) ? 0xff : 0xffffffff;
  });
  return { list, byName, limits };
}

/** Parses a snapshot file (path) or bytes. Throws AtelierError('BAD_SNAPSHOT') naming the byte on bad input. */
export function parseSnapshot(source: string | Uint8Array, options: ParseOptions = {}): RawSnapshot {
  const r = new ByteReader(source, options.chunkSize);
  try {
    return new SnapshotParser(r, options.skipEdges === true).parse();
  } finally {
    r.close();
  }
}

class SnapshotParser {
  private header: { meta: SnapshotMeta; nodeCount: number; edgeCount: number } | null = null;
  private nodes: Record<string, Column> | null = null;
  private edges: Record<string, Column> | null = null;
  private strings: string[] | null = null;
  private traceFunctionInfos: number[] = [];
  private traceTree: unknown[] = [];
  private locations: number[] = [];

  constructor(private readonly r: ByteReader, private readonly skipEdges: boolean) {}

  parse(): RawSnapshot {
    const r = this.r;
    if (!this.skipSpace()) throw r.invalid('empty file (no JSON object)');
    if (r.buf[r.pos] !== LBRACE) throw r.expected("'{' (a heap snapshot is a JSON object)", r.pos);
    this.readObjectMembers('the top-level object', (key) => this.readTopLevelValue(key));
    if (this.skipSpace()) throw r.expected('end of file after the top-level object', r.pos);
    return this.finish();
  }

  private readTopLevelValue(key: string): void {
    const r = this.r;
    switch (key) {
      case 'snapshot':
        this.header = readHeader(this.readValue(), r);
        return;
      case 'nodes': {
        const h = this.requireHeader(key);
        const want = h.nodeCount * h.meta.nodeFields.length;
        const cols = makeColumns(h.meta.nodeFields, h.nodeCount, 'self_size');
        this.nodes = cols.byName;
        const got = this.readColumns(cols.list, cols.limits, h.nodeCount, 'nodes');
        if (got !== want) throw r.invalid(`nodes has ${got} values, expected ${want} (node_count ${h.nodeCount} × ${h.meta.nodeFields.length} fields)`);
        return;
      }
      case 'edges': {
        const h = this.requireHeader(key);
        const want = h.edgeCount * h.meta.edgeFields.length;
        const cols = makeColumns(h.meta.edgeFields, this.skipEdges ? 0 : h.edgeCount, null);
        this.edges = cols.byName;
        const got = this.readColumns(cols.list, cols.limits, this.skipEdges ? 0 : h.edgeCount, 'edges');
        if (got !== want) throw r.invalid(`edges has ${got} values, expected ${want} (edge_count ${h.edgeCount} × ${h.meta.edgeFields.length} fields)`);
        return;
      }
      case 'strings':
        this.strings = this.readStringArray();
        return;
      case 'trace_function_infos':
        this.traceFunctionInfos = this.readNumberList(key);
        return;
      case 'locations':
        this.locations = this.readNumberList(key);
        return;
      case 'trace_tree': {
        const v = this.readValue();
        if (!Array.isArray(v)) throw r.invalid('trace_tree is not an array');
        this.traceTree = v;
        return;
      }
      default:
        this.readValue(); // samples and keys of future versions: read and drop.
    }
  }

  private requireHeader(key: string): NonNullable<SnapshotParser['header']> {
    if (!this.header) throw this.r.invalid(`"${key}" comes before the "snapshot" header`);
    return this.header;
  }

  private finish(): RawSnapshot {
    const r = this.r;
    const h = this.header;
    if (!h) throw r.invalid('no "snapshot" header');
    if (!this.nodes) throw r.invalid('no "nodes" array');
    if (!this.edges) throw r.invalid('no "edges" array');
    if (!this.strings) throw r.invalid('no "strings" array');
    validateGraph(h.meta, h.nodeCount, this.skipEdges ? 0 : h.edgeCount, h.edgeCount, this.nodes, this.edges, this.strings, r);
    return {
      meta: h.meta,
      nodeCount: h.nodeCount,
      edgeCount: h.edgeCount,
      nodeColumns: this.nodes,
      edgeColumns: this.edges,
      edgesSkipped: this.skipEdges,
      strings: this.strings,
      traceFunctionInfos: this.traceFunctionInfos,
      traceTree: this.traceTree,
      locations: this.locations,
      byteLength: r.offset(r.end),
    };
  }

  /** Skips white space; false at the end of input. Leaves `pos` on the next byte. */
  private skipSpace(): boolean {
    const r = this.r;
    for (;;) {
      while (r.pos < r.end) {
        if (!isSpace(r.buf[r.pos])) return true;
        r.pos++;
      }
      if (!r.fill()) return false;
    }
  }

  private expectByte(b: number, what: string): void {
    const r = this.r;
    if (r.pos >= r.end && !r.fill()) throw r.truncated(what);
    if (r.buf[r.pos] !== b) throw r.expected(what, r.pos);
    r.pos++;
  }

  /**
   * The hot loop: an array of non-negative integers, record after record, each value stored straight into its
   * field's column (no intermediate flat array, no strings). Returns how many values the file held: it stops
   * storing after `records` records but keeps counting, so a wrong count is reported exactly.
   */
  private readColumns(cols: Column[], limits: Float64Array, records: number, what: string): number {
    const r = this.r;
    if (!this.skipSpace()) throw r.truncated(what);
    this.expectByte(LBRACKET, `'[' to open ${what}`);
    const stride = limits.length;
    let buf = r.buf, p = r.pos, end = r.end;
    let total = 0, k = 0, f = 0, v = 0, inNum = false;
    // 0: after '[' (value or ']'), 1: after a value (',' or ']'), 2: after ',' (value)
    let state = 0;
    for (;;) {
      // buf[end] is never a digit or a separator (a sentinel, or out of range), so these loops need no bounds check.
      let c = buf[p];
      if (c >= DIGIT_0 && c <= DIGIT_9) {
        if (!inNum) {
          if (state === 1) throw r.expected(`',' or ']' in ${what}`, p);
          inNum = true;
          v = 0;
        }
        do {
          v = v * 10 + (c - DIGIT_0);
          c = buf[++p];
        } while (c >= DIGIT_0 && c <= DIGIT_9);
      }
      if (p >= end) {
        // The end of the chunk (perhaps in the middle of a number, which then goes on in the next one).
        r.pos = p;
        if (!r.fill()) throw r.truncated(what);
        buf = r.buf; p = r.pos; end = r.end;
        continue;
      }
      if (inNum) {
        if (k < records) {
          if (v > limits[f]) throw r.invalid(`${what}: value ${v} of field ${f} of record ${k} is out of range (before byte ${r.offset(p)})`);
          cols[f][k] = v;
        }
        total++;
        if (++f === stride) {
          f = 0;
          k++;
        }
        inNum = false;
        state = 1;
      }
      if (c === COMMA) {
        if (state !== 1) throw r.expected(`a number in ${what}`, p);
        state = 2;
      } else if (c === RBRACKET) {
        if (state === 2) throw r.expected(`a number in ${what}`, p);
        r.pos = p + 1;
        return total;
      } else if (!isSpace(c)) {
        throw r.expected(state === 1 ? `',' or ']' in ${what}` : `a non-negative integer in ${what}`, p);
      }
      p++;
    }
  }

  /** A flat array of integers (possibly negative) of unknown length. */
  private readNumberList(what: string): number[] {
    const out: number[] = [];
    this.readArrayItems(what, () => {
      const c = this.r.buf[this.r.pos];
      if (c !== MINUS && (c < DIGIT_0 || c > DIGIT_9)) throw this.r.expected(`an integer in ${what}`, this.r.pos);
      out.push(this.readNumber());
    });
    return out;
  }

  /** The strings table: its own loop, as it holds millions of items. */
  private readStringArray(): string[] {
    const r = this.r;
    const out: string[] = [];
    if (!this.skipSpace()) throw r.truncated('strings');
    this.expectByte(LBRACKET, "'[' to open strings");
    let state = 0; // as in readColumns
    for (;;) {
      if (r.pos >= r.end && !r.fill()) throw r.truncated('strings');
      const c = r.buf[r.pos];
      if (c === QUOTE) {
        if (state === 1) throw r.expected("',' or ']' in strings", r.pos);
        out.push(this.readString());
        state = 1;
      } else if (c === COMMA) {
        if (state !== 1) throw r.expected('a string in strings', r.pos);
        state = 2;
        r.pos++;
      } else if (c === RBRACKET) {
        if (state === 2) throw r.expected('a string in strings', r.pos);
        r.pos++;
        return out;
      } else if (isSpace(c)) {
        r.pos++;
      } else {
        throw r.expected(state === 1 ? "',' or ']' in strings" : 'a string in strings', r.pos);
      }
    }
  }

  /** `[item, item, …]`: calls `readItem` with `pos` on each item's first byte. */
  private readArrayItems(what: string, readItem: () => void): void {
    const r = this.r;
    if (!this.skipSpace()) throw r.truncated(what);
    this.expectByte(LBRACKET, `'[' to open ${what}`);
    let first = true;
    for (;;) {
      if (!this.skipSpace()) throw r.truncated(what);
      if (r.buf[r.pos] === RBRACKET) {
        r.pos++;
        return;
      }
      if (!first) {
        this.expectByte(COMMA, `',' or ']' in ${what}`);
        if (!this.skipSpace()) throw r.truncated(what);
      }
      first = false;
      readItem();
    }
  }

  /** `{"key": value, …}`: calls `readMember` after each key's colon. */
  private readObjectMembers(what: string, readMember: (key: string) => void): void {
    const r = this.r;
    if (!this.skipSpace()) throw r.truncated(what);
    this.expectByte(LBRACE, `'{' to open ${what}`);
    let first = true;
    for (;;) {
      if (!this.skipSpace()) throw r.truncated(what);
      if (r.buf[r.pos] === RBRACE) {
        r.pos++;
        return;
      }
      if (!first) {
        this.expectByte(COMMA, `',' or '}' in ${what}`);
        if (!this.skipSpace()) throw r.truncated(what);
      }
      first = false;
      if (r.buf[r.pos] !== QUOTE) throw r.expected('a key string', r.pos);
      const key = this.readString();
      if (!this.skipSpace()) throw r.truncated(what);
      this.expectByte(COLON, "':' after a key");
      readMember(key);
    }
  }

  /** Reads a JSON string starting at `pos` (on the opening quote). */
  private readString(): string {
    const r = this.r;
    r.mark = r.pos;
    let p = r.pos + 1;
    let escaped = false;
    let high = 0;
    for (;;) {
      const buf = r.buf, end = r.end;
      while (p < end) {
        const c = buf[p];
        if (c === QUOTE) {
          const start = r.mark + 1;
          // V8 escapes everything outside ASCII, so the one-byte decoder is the common, fast case.
          const s = escaped ? this.decodeEscaped(start, p) : high < 0x80 ? (buf as FastSlices).latin1Slice(start, p) : (buf as FastSlices).utf8Slice(start, p);
          r.mark = -1;
          r.pos = p + 1;
          return s;
        }
        if (c === BACKSLASH) {
          escaped = true;
          p += 2;
          continue;
        }
        if (c < 0x20) throw r.expected('a string character (control characters must be escaped)', p);
        high |= c;
        p++;
      }
      const before = r.mark;
      if (!r.fill()) {
        r.mark = -1;
        throw r.truncated('a string');
      }
      p -= before - r.mark;
    }
  }

  private decodeEscaped(start: number, stop: number): string {
    const r = this.r;
    const buf = r.buf;
    let out = '';
    let run = start;
    let p = start;
    while (p < stop) {
      if (buf[p] !== BACKSLASH) {
        p++;
        continue;
      }
      if (p > run) out += buf.toString('utf8', run, p);
      const e = buf[p + 1];
      switch (e) {
        case 0x22: out += '"'; break;
        case 0x5c: out += '\\'; break;
        case 0x2f: out += '/'; break;
        case 0x62: out += '\b'; break;
        case 0x66: out += '\f'; break;
        case 0x6e: out += '\n'; break;
        case 0x72: out += '\r'; break;
        case 0x74: out += '\t'; break;
        case 0x75: {
          if (p + 6 > stop) throw r.expected('4 hex digits after \\u', p + 2);
          let unit = 0;
          for (let i = p + 2; i < p + 6; i++) {
            const h = hexValue(buf[i]);
            if (h < 0) throw r.expected('a hex digit after \\u', i);
            unit = unit * 16 + h;
          }
          // Surrogate halves stay UTF-16 code units, so a pair written as two escapes joins up by itself.
          out += String.fromCharCode(unit);
          p += 6;
          run = p;
          continue;
        }
        default:
          throw r.expected('a JSON escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)', p + 1);
      }
      p += 2;
      run = p;
    }
    if (stop > run) out += buf.toString('utf8', run, stop);
    return out;
  }

  /** A JSON number at `pos`. Only the small header and side arrays come here. */
  private readNumber(): number {
    const r = this.r;
    r.mark = r.pos;
    let p = r.pos;
    for (;;) {
      while (p < r.end) {
        const c = r.buf[p];
        if ((c >= DIGIT_0 && c <= DIGIT_9) || c === MINUS || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) p++;
        else break;
      }
      if (p < r.end) break;
      const before = r.mark;
      if (!r.fill()) break;
      p -= before - r.mark;
    }
    const text = r.buf.toString('latin1', r.mark, p);
    const v = Number(text);
    if (text === '' || text === '-' || !Number.isFinite(v)) throw r.expected('a number', r.mark);
    r.mark = -1;
    r.pos = p;
    return v;
  }

  /** Any JSON value, as plain JS (the header, trace_tree, unknown keys). */
  private readValue(): unknown {
    const r = this.r;
    if (!this.skipSpace()) throw r.truncated('a value');
    const c = r.buf[r.pos];
    if (c === QUOTE) return this.readString();
    if (c === LBRACE) {
      const obj: Record<string, unknown> = {};
      this.readObjectMembers('an object', (k) => {
        obj[k] = this.readValue();
      });
      return obj;
    }
    if (c === LBRACKET) {
      const arr: unknown[] = [];
      this.readArrayItems('an array', () => arr.push(this.readValue()));
      return arr;
    }
    if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) return this.readNumber();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (c === word.charCodeAt(0)) {
        for (let i = 0; i < word.length; i++) this.expectByte(word.charCodeAt(i), `"${word}"`);
        return value;
      }
    }
    throw r.expected('a JSON value', r.pos);
  }
}

function hexValue(c: number): number {
  if (c >= DIGIT_0 && c <= DIGIT_9) return c - DIGIT_0;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

function stringList(v: unknown): string[] | null {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
}

function readHeader(v: unknown, r: ByteReader): { meta: SnapshotMeta; nodeCount: number; edgeCount: number } {
  const bad = (what: string) => r.invalid(`bad "snapshot" header: ${what}`);
  if (typeof v !== 'object' || v === null) throw bad('not an object');
  const h = v as Record<string, unknown>;
  const m = h.meta as Record<string, unknown> | undefined;
  if (typeof m !== 'object' || m === null) throw bad('no meta');
  const nodeFields = stringList(m.node_fields);
  const edgeFields = stringList(m.edge_fields);
  if (!nodeFields) throw bad('meta.node_fields is not a list of names');
  if (!edgeFields) throw bad('meta.edge_fields is not a list of names');
  for (const f of ['type', 'name', 'id', 'self_size', 'edge_count']) if (!nodeFields.includes(f)) throw bad(`meta.node_fields lacks "${f}"`);
  for (const f of ['type', 'name_or_index', 'to_node']) if (!edgeFields.includes(f)) throw bad(`meta.edge_fields lacks "${f}"`);
  const nodeTypes = stringList((m.node_types as unknown[] | undefined)?.[nodeFields.indexOf('type')]);
  const edgeTypes = stringList((m.edge_types as unknown[] | undefined)?.[edgeFields.indexOf('type')]);
  if (!nodeTypes) throw bad('meta.node_types lacks the list of node types');
  if (!edgeTypes) throw bad('meta.edge_types lacks the list of edge types');
  const count = (k: string) => {
    const n = h[k];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw bad(`${k} is not a count`);
    return n;
  };
  const nodeCount = count('node_count');
  const edgeCount = count('edge_count');
  if (nodeCount * nodeFields.length > 0xffffffff || edgeCount * edgeFields.length > 0xffffffff) throw bad('too many nodes or edges');
  return {
    meta: {
      nodeFields,
      nodeTypes,
      edgeFields,
      edgeTypes,
      traceFunctionInfoFields: stringList(m.trace_function_info_fields) ?? [],
      traceNodeFields: stringList(m.trace_node_fields) ?? [],
      locationFields: stringList(m.location_fields) ?? [],
    },
    nodeCount,
    edgeCount,
  };
}

/** Checks the cross-references (edge counts, targets, string indexes) and turns `to_node` offsets into ordinals. */
function validateGraph(meta: SnapshotMeta, nodeCount: number, storedEdges: number, edgeCount: number, nodes: Record<string, Column>, edges: Record<string, Column>, strings: string[], r: ByteReader): void {
  const nf = meta.nodeFields.length;
  const type = nodes.type, name = nodes.name, ec = nodes.edge_count;
  let total = 0;
  for (let i = 0; i < nodeCount; i++) {
    if (type[i] >= meta.nodeTypes.length) throw r.invalid(`node ${i} has unknown type ${type[i]}`);
    if (name[i] >= strings.length) throw r.invalid(`node ${i} names string ${name[i]} of ${strings.length}`);
    total += ec[i];
  }
  if (total !== edgeCount) throw r.invalid(`nodes own ${total} edges but edge_count is ${edgeCount}`);
  const eType = edges.type, eName = edges.name_or_index, eTo = edges.to_node;
  const element = meta.edgeTypes.indexOf('element');
  const hidden = meta.edgeTypes.indexOf('hidden');
  const limit = nodeCount * nf;
  for (let e = 0; e < storedEdges; e++) {
    const t = eType[e];
    if (t >= meta.edgeTypes.length) throw r.invalid(`edge ${e} has unknown type ${t}`);
    if (t !== element && t !== hidden && eName[e] >= strings.length) throw r.invalid(`edge ${e} names string ${eName[e]} of ${strings.length}`);
    const to = eTo[e];
    if (to >= limit || to % nf !== 0) throw r.invalid(`edge ${e} points to node offset ${to}, not a node`);
    eTo[e] = to / nf;
  }
}
