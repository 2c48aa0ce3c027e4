/**
 * Renders per second and their latency over the last sampling period, read from the studio's request-duration
 * histogram (so the dashboard shows exactly what /metrics counts): deltas of its count, sum and buckets.
 */
import type { StudioMetrics } from '../server/metrics.js';
import type { LoadReading } from './memory-sample.js';

const ROUTE = '/api/renders';

interface Totals { count: number; sum: number; buckets: Map<number, number> }

export class LoadMeter {
  private last: { t: number; totals: Totals } | undefined;

  constructor(private readonly metrics: StudioMetrics, private readonly now: () => number = Date.now) {}

  private async totals(): Promise<Totals> {
    const h = await this.metrics.requestDuration.get();
    const out: Totals = { count: 0, sum: 0, buckets: new Map() };
    for (const v of h.values) {
      if (v.labels.route !== ROUTE || v.labels.method !== 'POST') continue;
      const name = (v as { metricName?: string }).metricName ?? '';
      if (name.endsWith('_count')) out.count += v.value;
      else if (name.endsWith('_sum')) out.sum += v.value;
      else if (name.endsWith('_bucket')) {
        const raw = (v.labels as Record<string, string | number | undefined>).le;
        const le = raw === '+Inf' ? Infinity : Number(raw);
        out.buckets.set(le, (out.buckets.get(le) ?? 0) + v.value);
      }
    }
    return out;
  }

  async read(): Promise<LoadReading> {
    const t = this.now();
    const totals = await this.totals();
    const prev = this.last;
    this.last = { t, totals };
    if (!prev || t <= prev.t) return { rps: 0, latencyMean: null, latencyP95: null };
    const n = totals.count - prev.totals.count;
    const rps = n / ((t - prev.t) / 1000);
    if (n <= 0) return { rps: 0, latencyMean: null, latencyP95: null };
    return { rps, latencyMean: (totals.sum - prev.totals.sum) / n, latencyP95: quantile(totals, prev.totals, 0.95) };
  }
}

/** The q-quantile of the observations between two cumulative histograms, interpolated inside its bucket. */
function quantile(now: Totals, before: Totals, q: number): number {
  const bounds = [...now.buckets.keys()].sort((a, b) => a - b);
  const total = now.count - before.count;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const le of bounds) {
    const cum = (now.buckets.get(le) ?? 0) - (before.buckets.get(le) ?? 0);
    if (cum >= rank) {
      if (!Number.isFinite(le)) return lower;
      const inBucket = cum - below;
      return inBucket > 0 ? lower + ((le - lower) * (rank - below)) / inBucket : le;
    }
    lower = le;
    below = cum;
  }
  return lower;
}
