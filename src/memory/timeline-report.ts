/** The HTML page of `atelier mem run`: memory of the command's process tree over time. */
import type { TimelineResult } from './timeline.js';
import { renderReportPage, type ReportBlock } from './report-page.js';
import { formatBytes, formatSlope } from './units.js';

export function timelineReport(r: TimelineResult): string {
  const s = r.samples;
  const blocks: ReportBlock[] = [
    { kind: 'text', text: `$ ${r.command.join(' ')}` },
    { kind: 'table', headers: ['figure', 'value'], rows: [
      ['exit code', r.exitCode],
      ['duration', `${r.durationSeconds.toFixed(2)} s`],
      ['samples', `${s.length} every ${r.intervalMs} ms`],
      ['peak RSS', formatBytes(r.peak.rss)],
      ['peak USS', formatBytes(r.peak.uss)],
      ['peak heap used', r.peak.heapUsed === null ? 'n/a (not Node)' : formatBytes(r.peak.heapUsed)],
      ['RSS slope ± standard error', formatSlope(r.slope.rss, r.slopeError.rss)],
      ['heap slope ± standard error', formatSlope(r.slope.heapUsed, r.slopeError.heapUsed)],
    ] },
    { kind: 'chart', chart: {
      title: 'Process tree memory', xLabel: 'seconds',
      data: [s.map((x) => x.t), s.map((x) => x.rss), s.map((x) => x.uss), s.map((x) => x.pss)],
      series: [{ label: 'RSS', stroke: '#d62728', unit: 'bytes' }, { label: 'USS', stroke: '#1f77b4', unit: 'bytes' }, { label: 'PSS', stroke: '#9467bd', unit: 'bytes' }],
    } },
  ];
  if (r.node) {
    blocks.push({ kind: 'chart', chart: {
      title: 'V8 (sum over Node processes)', xLabel: 'seconds',
      data: [s.map((x) => x.t), s.map((x) => x.heapUsed), s.map((x) => x.heapTotal), s.map((x) => x.external), s.map((x) => x.arrayBuffers)],
      series: [
        { label: 'heap used', stroke: '#2ca02c', unit: 'bytes' }, { label: 'heap total', stroke: '#98df8a', unit: 'bytes' },
        { label: 'external', stroke: '#ff7f0e', unit: 'bytes' }, { label: 'ArrayBuffers', stroke: '#8c564b', unit: 'bytes' },
      ],
    } });
  }
  if (r.nodeProcesses.length > 0) {
    blocks.push({ kind: 'heading', text: 'Node processes at exit' });
    blocks.push({ kind: 'table', headers: ['pid', 'program', 'RSS', 'heap used', 'heap total', 'external', 'ArrayBuffers', 'code', 'unexplained'],
      rows: r.nodeProcesses.map((p) => [p.pid, p.argv.join(' '), formatBytes(p.rss), formatBytes(p.heapUsed), formatBytes(p.heapTotal), formatBytes(p.external), formatBytes(p.arrayBuffers), formatBytes(p.code), formatBytes(p.unexplained)]) });
  }
  return renderReportPage(`atelier mem run: ${r.command.join(' ').slice(0, 80)}`, blocks);
}
