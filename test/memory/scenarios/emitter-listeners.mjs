// LEAK: each "request" subscribes to a long-lived bus and never unsubscribes.
import { EventEmitter } from 'node:events';
const bus = new EventEmitter();
bus.setMaxListeners(0);
let served = 0;

function handleRequest(id) {
  const state = { id, seen: 0 };
  bus.on('config-changed', function onConfigChanged() { state.seen++; }); // leak-site
  served++;
}

export default async function iteration() {
  handleRequest(served);
}
