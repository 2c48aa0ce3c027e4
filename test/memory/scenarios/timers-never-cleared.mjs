// LEAK: a polling timer per job that is never cleared.
const jobs = [];
let n = 0;

function startJob() {
  const job = { id: n++, status: 'running', payload: new Array(16).fill(n) };
  setInterval(function poll() { job.status = 'polled'; }, 3_600_000); // leak-site
  return job.id;
}

export default async function iteration() {
  jobs.length = 0; // the job list itself is cleared: only the timers keep the jobs
  jobs.push(startJob());
}
