/**
 * The HTML analysis of one diagnostics capture, written with the memory toolkit: the memory timeline that led
 * to it, the heap's types by retained size with the retainer chain of the biggest ones, and the live
 * allocation sites sampled before the snapshot.
 */
import { allocationSites, formatBytes, renderReportPage, type ReportBlock, type SamplingProfile } from '../memory/index.js';
import { formatRetainerPath, loadHeapSnapshot, nodesOfType, shortestRetainerPath, sortTypeStats, typeStatistics } from '../memory/snapshot/index.js';
import type { MemorySample } from './memory-sample.js';

export interface AnalysisInput {
  title: string;
  facts: [string, string][];
  snapshotPath: string | null;
  profile: SamplingProfile | null;
  profileSeconds: number;
  history: MemorySample[];
}

const MiB = 1024 * 1024;
const TOP = 25;

export interface MemoryRow { x: number; rss: number; heap: number; external: number; libvips: number; cache: number; unexplained: number }

/** The guard's memory chart for a toolkit report page: RSS and its owners, in MiB, against any x. */
export function memoryChart(title: string, xLabel: string, rows: MemoryRow[]): ReportBlock {
  const mib = (k: keyof MemoryRow) => rows.map((r) => +(r[k] / MiB).toFixed(2));
  return {
    kind: 'chart',
    chart: {
      title,
      xLabel,
      data: [rows.map((r) => r.x), mib('rss'), mib('heap'), mib('external'), mib('libvips'), mib('cache'), mib('unexplained')],
      series: [
        { label: 'RSS', stroke: '#111' },
        { label: 'V8 heap (main + workers)', stroke: '#2563eb' },
        { label: 'external', stroke: '#059669' },
        { label: 'libvips', stroke: '#d97706' },
        { label: 'cache', stroke: '#7c3aed' },
        { label: 'unexplained', stroke: '#dc2626' },
      ],
    },
  };
}
const PATHS = 5;

export function captureAnalysisHtml(input: AnalysisInput): string {
  const blocks: ReportBlock[] = [{ kind: 'table', headers: ['', ''], rows: input.facts }];
  if (input.history.length > 1) {
    const t0 = input.history[0].t;
    blocks.push(memoryChart('Memory before the capture (MiB)', 'seconds', input.history.map((s) => ({ x: (s.t - t0) / 1000, heap: s.heapTotal, ...s }))));
  }
  if (input.snapshotPath) {
    const g = loadHeapSnapshot(input.snapshotPath);
    const rows = sortTypeStats(typeStatistics(g), 'retained');
    blocks.push({ kind: 'heading', text: `Heap of the main thread: ${g.nodeCount.toLocaleString('en')} objects, ${formatBytes(g.retainedSize(0))}` });
    blocks.push({
      kind: 'table',
      headers: ['Type', 'Count', 'Self size', 'Retained size'],
      rows: rows.slice(0, TOP).map((r) => [r.type, r.count, formatBytes(r.selfSize), formatBytes(r.retainedSize)]),
    });
    blocks.push({ kind: 'heading', text: 'Who holds the largest objects (shortest path from a GC root)' });
    const paths: string[] = [];
    for (const r of rows) {
      if (paths.length >= PATHS) break;
      if (r.type.startsWith('(')) continue;
      const node = nodesOfType(g, r.type)[0];
      if (node === undefined) continue;
      const steps = shortestRetainerPath(g, node);
      if (!steps) continue;
      paths.push(`${r.type} (${formatBytes(g.retainedSize(node))}): ${formatRetainerPath(g, steps).join(' → ')}`);
    }
    blocks.push(paths.length ? { kind: 'list', items: paths } : { kind: 'text', text: 'No object outside V8 internals retains much.' });
  } else {
    blocks.push({ kind: 'text', tone: 'bad', text: 'The heap snapshot was not kept (see above).' });
  }
  if (input.profile) {
    const sites = allocationSites(input.profile).slice(0, TOP);
    blocks.push({ kind: 'heading', text: `Live allocations sampled over ${input.profileSeconds} s, by function` });
    blocks.push({
      kind: 'table',
      headers: ['Function', 'Where', 'Live bytes (self)', 'Live bytes (with callees)'],
      rows: sites.map((s) => [s.functionName, s.file ? `${s.file}:${s.line}` : '(native)', formatBytes(s.selfBytes), formatBytes(s.totalBytes)]),
    });
  }
  return renderReportPage(input.title, blocks);
}
