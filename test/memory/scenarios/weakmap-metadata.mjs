// CLEAN: metadata attached to request objects through a WeakMap; the requests themselves are transient.
const meta = new WeakMap();

export default async function iteration() {
  for (let i = 0; i < 10; i++) {
    const req = { url: '/x/' + i };
    meta.set(req, { started: Date.now(), tags: new Array(50).fill(i) });
  }
}
