// LEAK: promises that never settle, tracked in a Set that is only cleared on settlement.
const pending = new Set();

function request() {
  const p = new Promise(() => {}); // leak-site
  pending.add(p);
  return p;
}

export default async function iteration() {
  request();
}
