// LEAK: sessions are added to a module-level Map and never deleted.
class Session {
  constructor(id) {
    this.id = id;
    this.user = `user-${id}`;
    this.createdAt = Date.now();
  }
}
const sessions = new Map();
let next = 0;

export default async function iteration() {
  for (let i = 0; i < 4; i++) {
    const id = next++;
    sessions.set(id, new Session(id)); // leak-site
  }
}
