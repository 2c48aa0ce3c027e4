// LEAK: one object every fourth iteration (a retry record kept on a rare error path).
class RetryRecord {
  constructor(n) {
    this.n = n;
    this.reason = 'timeout';
  }
}
const retries = [];
let n = 0;

export default async function iteration() {
  if (n++ % 4 === 0) retries.push(new RetryRecord(n)); // leak-site
}
