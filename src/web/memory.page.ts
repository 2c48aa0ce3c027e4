/**
 * The /memory dashboard: polls GET /api/memory every second and draws live uPlot charts of where RSS goes
 * (V8 heap, external, libvips, result cache, code, unexplained), the render queue, renders per second and
 * latency; lists alerts and diagnostics captures; "Capture now" posts to /api/memory/captures.
 */
import uPlot from 'uplot';

interface Point {
  t: number; rss: number; uss: number; code: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number;
  libvips: number; cache: number; unexplained: number; queued: number; running: number; workers: number;
  rps: number; latencyMean: number | null; latencyP95: number | null;
}
interface Alert { id: number; kind: string; level: string; message: string; since: number; until: number | null }
interface Capture { id: string; trigger: string; reason: string; startedAt: number; status: string; error: string | null; rss: number; bytes: number; files: string[] }
interface MemoryState {
  now: number; allocator: string; intervalMs: number;
  limits: { soft: number; hard: number; hardRecover: number; slopePerMinute: number; slopeWindowMs: number };
  state: { soft: boolean; slope: boolean; hard: boolean; slopePerMinute: number | null; ready: boolean };
  latest: Point | null; alerts: Alert[]; captures: { allowedHere: boolean; count: number; running: boolean }; points: Point[];
}

const KEEP = 600;
const MiB = 1024 * 1024;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const mib = (b: number) => (b / MiB).toFixed(b >= 100 * MiB ? 0 : 1);
const bytes = (b: number) => (b >= 1024 * MiB ? `${(b / 1024 / MiB).toFixed(2)} GB` : `${mib(b)} MB`);
const clock = (t: number) => new Date(t).toLocaleTimeString();

const points: Point[] = [];
let last = 0;
let token = sessionStorage.getItem('atelier-memory-token') ?? '';

// Stacked owners of RSS, bottom to top; their sum is RSS.
const LAYERS: { key: keyof Point; label: string; color: string }[] = [
  { key: 'heapTotal', label: 'V8 heap', color: '#2563eb' },
  { key: 'external', label: 'external', color: '#059669' },
  { key: 'libvips', label: 'libvips', color: '#d97706' },
  { key: 'cache', label: 'result cache in memory', color: '#7c3aed' },
  { key: 'code', label: 'code', color: '#64748b' },
  { key: 'unexplained', label: 'unexplained', color: '#dc2626' },
];

function size(el: HTMLElement): { width: number; height: number } {
  return { width: Math.max(280, el.clientWidth), height: el.id === 'chart-memory' ? 300 : 200 };
}

const axisColor = getComputedStyle(document.documentElement).getPropertyValue('--muted').trim() || '#777';
const gridColor = getComputedStyle(document.documentElement).getPropertyValue('--line').trim() || '#ddd';
const axes = (unit: (v: number) => string): uPlot.Axis[] => [
  { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor } },
  { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor }, values: (_u, vals) => vals.map(unit), size: 70 },
];

function makeChart(id: string, series: uPlot.Series[], unit: (v: number) => string): uPlot {
  const el = $(id);
  return new uPlot({ ...size(el), series: [{ label: 'time', value: (_u, v) => (v == null ? '' : clock(v * 1000)) }, ...series], axes: axes(unit), scales: { x: { time: true } }, legend: { live: true } }, [[]], el);
}

// Cumulative bands drawn from the top layer down, so each smaller band paints over the one above it; the RSS
// line goes last, on top. Legends show each owner's own size, not the cumulative value.
const memChart = makeChart('chart-memory', [
  ...[...LAYERS].reverse().map((l) => ({
    label: l.label,
    stroke: l.color,
    fill: `${l.color}66`,
    width: 1,
    value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) => (idx == null || !points[idx] ? '–' : `${mib(points[idx][l.key] as number)} MB`),
  })),
  { label: 'RSS', stroke: '#111827', width: 2, value: (_u, v) => (v == null ? '–' : `${v.toFixed(1)} MB`) },
], (v) => `${v} MB`);
const queueChart = makeChart('chart-queue', [
  { label: 'waiting', stroke: '#b4532a', width: 2, fill: '#b4532a22' },
  { label: 'rendering', stroke: '#2563eb', width: 2 },
], (v) => String(v));
const rpsChart = makeChart('chart-rps', [{ label: 'renders/s', stroke: '#059669', width: 2, fill: '#05966922', value: (_u, v) => (v == null ? '–' : v.toFixed(2)) }], (v) => v.toFixed(1));
const latencyChart = makeChart('chart-latency', [
  { label: 'mean', stroke: '#7c3aed', width: 2, value: (_u, v) => (v == null ? '–' : `${(v * 1000).toFixed(0)} ms`) },
  { label: 'p95', stroke: '#dc2626', width: 2, value: (_u, v) => (v == null ? '–' : `${(v * 1000).toFixed(0)} ms`) },
], (v) => (v >= 1 ? `${+v.toFixed(2)} s` : `${Math.round(v * 1000)} ms`));

/** Cumulative sums of the layers (band i = layers 0..i), top band first, then RSS: the chart's series order. */
function stacked(): number[][] {
  const cum: number[][] = LAYERS.map(() => []);
  for (const p of points) {
    let sum = 0;
    LAYERS.forEach((l, i) => {
      sum += p[l.key] as number;
      cum[i].push(sum);
    });
  }
  // Plotted in MiB, so the axis gets round ticks.
  return [...cum.reverse(), points.map((p) => p.rss)].map((series) => series.map((b) => b / MiB));
}

function redraw(): void {
  const x = points.map((p) => p.t / 1000);
  memChart.setData([x, ...stacked()] as uPlot.AlignedData);
  queueChart.setData([x, points.map((p) => p.queued), points.map((p) => p.running)]);
  rpsChart.setData([x, points.map((p) => p.rps)]);
  latencyChart.setData([x, points.map((p) => p.latencyMean), points.map((p) => p.latencyP95)] as uPlot.AlignedData);
}

function stat(label: string, value: string, color?: string): string {
  return `<div class="stat"><span>${color ? `<i style="background:${color}"></i>` : ''}${label}</span><b>${value}</b></div>`;
}

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function renderState(s: MemoryState): void {
  const ready = $('ready');
  const soft = s.state.soft || s.state.slope;
  ready.textContent = s.state.hard ? 'over the hard limit: shedding' : !s.state.ready ? 'not ready' : soft ? 'ready · memory warning' : 'ready';
  ready.className = `pill${s.state.hard || !s.state.ready ? ' bad' : soft ? ' warn' : ''}`;
  const p = s.latest;
  $('summary').textContent = `allocator ${s.allocator} · soft limit ${bytes(s.limits.soft)} · hard limit ${bytes(s.limits.hard)} · slope limit ${bytes(s.limits.slopePerMinute)}/min`;
  if (p) {
    const slope = s.state.slopePerMinute;
    $('stats').innerHTML = [
      stat('RSS', bytes(p.rss), '#111827'),
      stat('USS', bytes(p.uss)),
      ...LAYERS.map((l) => stat(l.label, bytes(p[l.key] as number), l.color)),
      stat('RSS slope', slope === null ? 'warming up' : `${slope >= 0 ? '+' : ''}${mib(slope)} MB/min`),
      stat('workers', String(p.workers)),
    ].join('');
  }
  const alerts = $('alerts');
  alerts.innerHTML = s.alerts.length === 0
    ? '<li class="muted">No alert.</li>'
    : s.alerts.map((a) => `<li class="${a.until ? 'ended' : ''}"><span class="lvl ${a.level}">${a.level === 'critical' ? 'CRITICAL' : 'warning'}</span>${escape(a.message)} <span class="muted">· ${clock(a.since)}${a.until && a.until !== a.since ? ` – ${clock(a.until)}` : a.until ? '' : ' · ongoing'}</span></li>`).join('');
  $('token-row').hidden = s.captures.allowedHere;
  ($('capture') as HTMLButtonElement).disabled = s.captures.running;
}

function withToken(url: string): string {
  return token ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : url;
}

async function loadCaptures(): Promise<void> {
  const res = await fetch(withToken('/api/memory/captures'));
  const list = $('captures');
  if (!res.ok) {
    list.innerHTML = `<li class="muted">${res.status === 401 || res.status === 403 ? 'Captures are available from this machine or with the memory token.' : 'Captures are unavailable.'}</li>`;
    return;
  }
  const { captures } = (await res.json()) as { captures: Capture[] };
  list.innerHTML = captures.length === 0
    ? '<li class="muted">No capture yet.</li>'
    : captures.map((c) => {
      const when = new Date(c.startedAt).toLocaleString();
      const state = c.status === 'running' ? ' · <b>running…</b>' : c.status === 'failed' ? ` · <span class="lvl critical">failed</span> ${escape(c.error ?? '')}` : ` · ${bytes(c.bytes)}`;
      const link = (f: string, text: string) => (c.files.includes(f) ? ` · <a href="${withToken(`/api/memory/captures/${c.id}/${f}`)}"${f === 'report.html' ? ' target="_blank" rel="noopener"' : ''}>${text}</a>` : '');
      return `<li><b>${escape(c.id)}</b> · ${escape(c.trigger)} · ${when} · RSS ${bytes(c.rss)}${state}${link('report.html', 'analysis')}${link('heap.heapsnapshot', 'snapshot')}${link('allocations.heapprofile', 'profile')}<br><span class="muted">${escape(c.reason)}</span></li>`;
    }).join('');
}

async function poll(): Promise<void> {
  try {
    const res = await fetch(`/api/memory${last ? `?since=${last}` : ''}`, { cache: 'no-store' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const s = (await res.json()) as MemoryState;
    for (const p of s.points) if (p.t > last) points.push(p);
    if (points.length > KEEP) points.splice(0, points.length - KEEP);
    if (points.length) last = points[points.length - 1].t;
    document.body.dataset.points = String(points.length);
    renderState(s);
    redraw();
    if (s.captures.count !== capturesSeen || s.captures.running || capturesRunning) {
      capturesSeen = s.captures.count;
      capturesRunning = s.captures.running;
      await loadCaptures();
    }
  } catch (e) {
    $('summary').textContent = `cannot reach the server (${(e as Error).message}); retrying…`;
  }
}
let capturesSeen = -1;
let capturesRunning = false;

$('capture').addEventListener('click', async () => {
  const msg = $('capture-msg');
  const input = $('token') as HTMLInputElement;
  if (input.value) {
    token = input.value;
    sessionStorage.setItem('atelier-memory-token', token);
  }
  const res = await fetch('/api/memory/captures', { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = (await res.json().catch(() => ({}))) as { capture?: Capture; error?: { message: string } };
  msg.textContent = res.ok ? `Capture ${body.capture?.id} started; it appears below when written.` : (body.error?.message ?? `HTTP ${res.status}`);
  capturesRunning = true;
  await loadCaptures();
});

window.addEventListener('resize', () => {
  for (const [c, id] of [[memChart, 'chart-memory'], [queueChart, 'chart-queue'], [rpsChart, 'chart-rps'], [latencyChart, 'chart-latency']] as const) c.setSize(size($(id)));
});

void poll();
setInterval(() => void poll(), 1000);
