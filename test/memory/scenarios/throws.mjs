// ERROR: the scenario itself fails on its fifth iteration.
let n = 0;
export default async function iteration() {
  if (++n === 5) throw new Error('database connection refused');
}
