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
const PATHS = 5;

export function captureAnalysisHtml(input: AnalysisInput): string {
  const blocks: ReportBlock[] = [{ kind: 'table', headers: ['', ''], rows: input.facts }];
  if (input.history.length > 1) {
    const h = input.history;
    const t0 = h[0].t;
    const mb = (f: (s: MemorySample) => number) => h.map((s) => +(f(s) / MiB).toFixed(2));
    blocks.push({
      kind: 'chart',
      chart: {
        title: 'Memory before the capture (MiB)',
        xLabel: 'seconds',
        data: [h.map((s) => (s.t - t0) / 1000), mb((s) => s.rss), mb((s) => s.heapTotal), mb((s) => s.external), mb((s) => s.libvips), mb((s) => s.cache), mb((s) => s.unexplained)],
        series: [
          { label: 'RSS', stroke: '#111' },
          { label: 'V8 heap', stroke: '#2563eb' },
          { label: 'external', stroke: '#059669' },
          { label: 'libvips', stroke: '#d97706' },
          { label: 'cache', stroke: '#7c3aed' },
          { label: 'unexplained', stroke: '#dc2626' },
        ],
      },
    });
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
