// LEAK: callbacks are registered for later and never removed; each closes over a per-call buffer of data.
const registry = [];

export function register(cb) {
  registry.push(cb);
}

export default async function iteration() {
  const context = { rows: new Array(32).fill(0).map((_, i) => i) };
  register(() => context.rows.length); // leak-site
}
