// LEAK: a slow leak of small objects hidden under megabytes of transient garbage per iteration.
class Breadcrumb {
  constructor(i) {
    this.i = i;
    this.at = i * 2;
  }
}
const trail = [];
let n = 0;

function churn() {
  // About 4 MB of short-lived objects, arrays and strings, dropped at the end of the iteration.
  let sum = 0;
  for (let i = 0; i < 20000; i++) {
    const o = { i, s: 'item-' + i, list: [i, i + 1, i + 2] };
    sum += o.list.length + o.s.length;
  }
  const big = new Float64Array(100_000);
  return sum + big.length;
}

export default async function iteration() {
  churn();
  trail.push(new Breadcrumb(n++)); // leak-site
}
