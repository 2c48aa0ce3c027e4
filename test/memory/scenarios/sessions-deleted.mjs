// CLEAN: sessions go into a Map for the length of the request and are deleted afterwards.
class Session {
  constructor(id) {
    this.id = id;
    this.data = new Array(10).fill(id);
  }
}
const sessions = new Map();
let n = 0;

export default async function iteration() {
  const id = n++;
  sessions.set(id, new Session(id));
  await new Promise((r) => setImmediate(r));
  sessions.delete(id);
}
