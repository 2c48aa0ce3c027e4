// LEAK: every request record is pushed onto an audit array that nothing trims.
class AuditRecord {
  constructor(n) {
    this.n = n;
    this.path = '/api/items/' + n;
    this.tags = ['a', 'b'];
  }
}
export const audit = [];
let n = 0;

export default async function iteration() {
  for (let i = 0; i < 3; i++) audit.push(new AuditRecord(n++)); // leak-site
}
