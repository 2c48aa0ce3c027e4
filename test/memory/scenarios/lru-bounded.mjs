// CLEAN: a bounded LRU cache (lru-cache, max 50 entries) with ever-new keys: it fills, then evicts.
import { LRUCache } from 'lru-cache';
const cache = new LRUCache({ max: 50 });
let n = 0;

export default async function iteration() {
  for (let i = 0; i < 5; i++) {
    const key = 'k' + n++;
    cache.set(key, { key, value: new Array(20).fill(n) });
  }
}
