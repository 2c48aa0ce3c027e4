// CLEAN: big allocations per iteration (an 8 MiB Buffer, a 2 MiB typed array, 50k objects) all dropped.
export default async function iteration() {
  const buf = Buffer.alloc(8 * 1024 * 1024, 1);
  const f = new Float64Array(256 * 1024);
  const objs = [];
  for (let i = 0; i < 50_000; i++) objs.push({ i });
  return buf.length + f.length + objs.length;
}
