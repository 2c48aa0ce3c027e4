// CLEAN: an object pool: objects are acquired and released, the pool never grows beyond its peak.
class Connection {
  constructor(id) {
    this.id = id;
    this.buffer = Buffer.alloc(4096);
  }
}
const free = [];
let created = 0;

function acquire() {
  return free.pop() ?? new Connection(created++);
}
function release(c) {
  free.push(c);
}

export default async function iteration() {
  const held = [acquire(), acquire(), acquire()];
  for (const c of held) c.buffer.fill(1);
  for (const c of held) release(c);
}
