/** The HTML page of `atelier mem leaks`: verdict, retained memory per iteration, suspects and their retainer paths. */
import type { LeakReport } from './leak-judge.js';
import { renderReportPage, type ReportBlock } from './report-page.js';
import { formatBytes } from './units.js';

export function leakReportPage(scenario: string, r: LeakReport): string {
  const e = r.evidence;
  const s = e.samples;
  const blocks: ReportBlock[] = [
    { kind: 'text', tone: r.verdict === 'leak' ? 'bad' : 'good', text: `${r.verdict === 'leak' ? 'LEAK' : 'Clean'}: ${formatBytes(r.bytesPerIteration)} retained per iteration` },
    { kind: 'text', text: e.reason },
    { kind: 'table', headers: ['figure', 'value'], rows: [
      ['warm-up iterations', e.warmup],
      ['measured iterations', e.iterations],
      ['snapshots after iterations', e.snapshotIterations.join(', ')],
      ['trend window', `${e.trend.fromIteration}–${e.trend.toIteration}`],
      ['retained slope (Theil–Sen)', `${Math.round(e.trend.retained.slope)} B/iteration, 99% [${Math.round(e.trend.retained.slopeLow)}, ${Math.round(e.trend.retained.slopeHigh)}]`],
      ['rises / falls between iterations', `${e.trend.steps.retained.up} / ${e.trend.steps.retained.down}`],
      ['sign test p (rises beyond chance)', e.trend.steps.retained.pIncreasing.toExponential(2)],
      ['Mann–Kendall p (increasing)', e.trend.retained.pIncreasing.toExponential(2)],
      ['heap slope', `${Math.round(e.trend.heap.slope)} B/iteration`],
      ['external slope', `${Math.round(e.trend.external.slope)} B/iteration`],
    ] },
    { kind: 'chart', chart: {
      title: 'Retained after full GC, per measured iteration', xLabel: 'iteration',
      data: [s.map((x) => x.iteration), s.map((x) => x.heapUsed), s.map((x) => x.external), s.map((x) => x.arrayBuffers)],
      series: [{ label: 'heap used', stroke: '#2ca02c', unit: 'bytes' }, { label: 'external', stroke: '#ff7f0e', unit: 'bytes' }, { label: 'ArrayBuffers', stroke: '#8c564b', unit: 'bytes' }],
    } },
    { kind: 'chart', chart: {
      title: 'Resident set size after full GC (not judged: allocators keep freed pages)', xLabel: 'iteration',
      data: [s.map((x) => x.iteration), s.map((x) => x.rss ?? null)],
      series: [{ label: 'RSS', stroke: '#d62728', unit: 'bytes' }],
    } },
  ];
  if (r.suspects.length > 0) {
    blocks.push({ kind: 'heading', text: 'Suspects' });
    blocks.push({ kind: 'table', headers: ['type', 'count / iteration', 'retained / iteration', 'allocated at'],
      rows: r.suspects.map((x) => [x.name, x.countPerIteration.toFixed(2), formatBytes(x.retainedBytesPerIteration), x.allocationSite ?? '?']) });
    for (const x of r.suspects) {
      blocks.push({ kind: 'heading', text: `${x.name}: retainer path` });
      blocks.push({ kind: 'list', items: x.retainerPath });
    }
  }
  return renderReportPage(`atelier mem leaks: ${scenario}`, blocks);
}
