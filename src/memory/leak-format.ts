/** The leak test's verdict as text for terminals and for the message of assertNoLeak's error. */
import type { LeakReport } from './leak-judge.js';
import { renderTable } from './table.js';
import { formatBytes } from './units.js';

export function formatLeakReport(r: LeakReport, title?: string): string {
  const e = r.evidence;
  const lines: string[] = [];
  lines.push(r.verdict === 'leak'
    ? `${title ? title + ': ' : ''}LEAK — ${formatBytes(r.bytesPerIteration)} retained per iteration`
    : `${title ? title + ': ' : ''}clean — trend ${formatBytes(r.bytesPerIteration)} per iteration, within noise`);
  lines.push(`  ${e.reason}`);
  lines.push(`  ${e.warmup} warm-up + ${e.iterations} measured iterations; snapshots after iterations ${e.snapshotIterations.join(', ')}; heap ${Math.round(e.trend.heap.slope)} B/it, external ${Math.round(e.trend.external.slope)} B/it`);
  if (r.suspects.length > 0) {
    lines.push('');
    lines.push(renderTable(
      ['suspect', 'count/it', 'retained/it', 'allocated at'],
      r.suspects.map((s) => [s.name, s.countPerIteration.toFixed(2), formatBytes(s.retainedBytesPerIteration), s.allocationSite ?? '?']),
    ).trimEnd());
    for (const s of r.suspects.slice(0, 3)) {
      lines.push('');
      lines.push(`  ${s.name} retained by:`);
      s.retainerPath.forEach((step, i) => lines.push(`    ${'  '.repeat(i)}${step}`));
    }
  }
  return lines.join('\n') + '\n';
}
