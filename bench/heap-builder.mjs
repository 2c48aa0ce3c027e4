// Builds a large heap of ordinary objects, then writes three snapshots for the heap benchmark:
//   s1: the base heap; s2: after a leak (kept) and transient garbage (held); s3: after dropping the transient part.
// Usage: node --max-old-space-size=8192 bench/heap-builder.mjs <out-dir> <base-items>
import v8 from 'node:v8';
import { join } from 'node:path';

class Item {
  constructor(i) {
    this.id = i;
    this.name = `item-${i}-${(i * 2654435761) % 1000003}`;
    this.tags = [i % 7, i % 11, i % 13];
    this.meta = { created: i, owner: i % 1000 };
  }
}
class Session {
  constructor(i) {
    this.key = `session:${i}`;
    this.payload = new Array(8).fill(i);
    this.onClose = () => this.key;
  }
}
class Transient {
  constructor(i) {
    this.i = i;
    this.text = `transient ${i}`;
  }
}

const [dir, baseArg] = process.argv.slice(2);
const base = Number(baseArg);
const store = [];
for (let i = 0; i < base; i++) store.push(new Item(i));
globalThis.store = store;
globalThis.index = new Map();
for (let i = 0; i < base; i += 4) globalThis.index.set(store[i].name, store[i]);
const mb = () => Math.round(process.memoryUsage().heapUsed / 1048576);

v8.writeHeapSnapshot(join(dir, 's1.heapsnapshot'));
console.log(`s1 heapUsed ${mb()} MB`);
globalThis.sessions = new Map();
for (let i = 0; i < base / 10; i++) globalThis.sessions.set(i, new Session(i));
let transient = [];
for (let i = 0; i < base / 5; i++) transient.push(new Transient(i));
v8.writeHeapSnapshot(join(dir, 's2.heapsnapshot'));
console.log(`s2 heapUsed ${mb()} MB`);
transient = null;
v8.writeHeapSnapshot(join(dir, 's3.heapsnapshot'));
console.log(`s3 heapUsed ${mb()} MB`);
