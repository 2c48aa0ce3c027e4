/**
 * Plain-text tables for terminals: the readable side of every `atelier mem` command (the other side is --json).
 * Numeric-looking cells are right-aligned so columns of sizes line up.
 */
export type Cell = string | number | null | undefined;

export function renderTable(headers: string[], rows: Cell[][], opts: { title?: string; maxCellWidth?: number } = {}): string {
  const maxW = opts.maxCellWidth ?? 80;
  const text = rows.map((r) => headers.map((_, i) => clip(cellText(r[i]), maxW)));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => r[i].length)));
  const numeric = headers.map((_, i) => text.length > 0 && text.every((r) => r[i] === '' || /^[-+]?[\d.,]+(\s?[A-Za-z/%]+)?$/.test(r[i])));
  const line = (cells: string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const out: string[] = [];
  if (opts.title) out.push(opts.title);
  out.push(line(headers));
  out.push(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of text) out.push(line(r));
  return out.join('\n') + '\n';
}

function cellText(c: Cell): string {
  if (c === null || c === undefined) return '';
  if (typeof c === 'number') return Number.isInteger(c) ? String(c) : c.toFixed(2);
  return c;
}

function clip(s: string, w: number): string {
  return s.length <= w ? s : '…' + s.slice(s.length - w + 1);
}
