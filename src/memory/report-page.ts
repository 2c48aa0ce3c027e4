/**
 * The one way the toolkit writes an HTML report: a single self-contained page (uPlot's script and style
 * inlined from node_modules, the data embedded as JSON) that opens from disk, offline, in any browser.
 * Commands describe their report as headings, tables, notes and charts; this module draws the page.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface ChartSeries { label: string; /** CSS colour */ stroke: string; /** 'bytes' shows MiB on the axis */ unit?: 'bytes' | 'count' }
export interface ReportChart {
  title: string;
  xLabel: string;
  /** Column-major: x first, then one array per series; null leaves a gap. */
  data: (number | null)[][];
  series: ChartSeries[];
}
export type ReportBlock =
  | { kind: 'heading'; text: string }
  | { kind: 'text'; text: string; tone?: 'good' | 'bad' | 'plain' }
  | { kind: 'table'; headers: string[]; rows: (string | number | null)[][] }
  | { kind: 'list'; items: string[] }
  | { kind: 'chart'; chart: ReportChart };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

let uplotAssets: { js: string; css: string } | undefined;
function uplot(): { js: string; css: string } {
  uplotAssets ??= {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return uplotAssets;
}

function blockHtml(b: ReportBlock, chartIndex: number): string {
  switch (b.kind) {
    case 'heading': return `<h2>${escapeHtml(b.text)}</h2>`;
    case 'text': return `<p class="${b.tone ?? 'plain'}">${escapeHtml(b.text)}</p>`;
    case 'list': return `<ul>${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
    case 'table':
      return `<table><thead><tr>${b.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${b.rows
        .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c === null ? '' : String(c))}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`;
    case 'chart': return `<figure><figcaption>${escapeHtml(b.chart.title)}</figcaption><div class="chart" id="chart${chartIndex}"></div></figure>`;
  }
}

/** The full page. Charts render client-side with uPlot; everything else is static HTML. */
export function renderReportPage(title: string, blocks: ReportBlock[]): string {
  const { js, css } = uplot();
  let chartIndex = 0;
  const charts: ReportChart[] = [];
  const body = blocks.map((b) => {
    if (b.kind === 'chart') charts.push(b.chart);
    return blockHtml(b, b.kind === 'chart' ? chartIndex++ : -1);
  }).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${css}</style>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td{font-family:ui-monospace,monospace;font-size:12.5px}
p.bad{color:#b00020;font-weight:600}p.good{color:#1b7f3b;font-weight:600}
figure{margin:16px 0}figcaption{font-weight:600;margin-bottom:4px}
</style></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
<script>${js}</script>
<script>
const charts = ${scriptJson(charts)};
const mib = (v) => v == null ? '' : (v / 1048576).toFixed(v >= 104857600 ? 0 : 1) + ' MiB';
charts.forEach((c, i) => {
  const el = document.getElementById('chart' + i);
  const bytes = c.series.some((s) => s.unit === 'bytes');
  const opts = {
    width: Math.min(1060, el.clientWidth || 1060), height: 320,
    scales: { x: { time: false } },
    axes: [{ label: c.xLabel }, { size: 80, values: (u, vals) => vals.map((v) => bytes ? mib(v) : String(v)) }],
    series: [{ label: c.xLabel }].concat(c.series.map((s) => ({ label: s.label, stroke: s.stroke, width: 1.5, spanGaps: false,
      value: (u, v) => s.unit === 'bytes' ? mib(v) : (v == null ? '' : String(v)) }))),
  };
  new uPlot(opts, c.data, el);
});
</script>
</body></html>
`;
}
