/**
 * The statistics the toolkit judges memory trends with. Least squares gives the slope people expect from
 * `mprof` plots; Theil–Sen with Sen's confidence interval and the Mann–Kendall trend test give a slope and a
 * significance that outliers (a GC that ran late, a cache that filled once) cannot drag around.
 */

export interface LinearFit {
  slope: number;
  intercept: number;
  r2: number;
  /**
   * Standard error of the slope, from the residuals, with the effective number of points lowered for their lag-1
   * autocorrelation ρ (n·(1 − ρ)/(1 + ρ), an AR(1) model): samples of a process taken close together are not
   * independent, and counting them as such would make a noisy slope look precise. NaN below 3 points.
   */
  slopeError: number;
}

/** Ordinary least squares of y on x, with the standard error of the slope. */
export function leastSquares(x: ArrayLike<number>, y: ArrayLike<number>): LinearFit {
  const n = Math.min(x.length, y.length);
  if (n < 2) return { slope: 0, intercept: n === 1 ? y[0] : 0, r2: 0, slopeError: NaN };
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
  mx /= n; my /= n;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx; sxy += dx * dy; syy += dy * dy;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = my - slope * mx;
  let rss = 0, lag = 0, prev = 0;
  for (let i = 0; i < n; i++) {
    const e = y[i] - intercept - slope * x[i];
    rss += e * e;
    if (i > 0) lag += e * prev;
    prev = e;
  }
  const rho = rss === 0 ? 0 : Math.max(0, Math.min(0.99, lag / rss));
  const nEff = (n * (1 - rho)) / (1 + rho);
  const slopeError = n < 3 || sxx === 0 ? NaN : Math.sqrt((rss / (n - 2)) / sxx) * Math.sqrt(n / Math.max(nEff, 2));
  return { slope, intercept, r2: sxx === 0 || syy === 0 ? 0 : (sxy * sxy) / (sxx * syy), slopeError };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 for erf; error < 1.5e-7). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.SQRT2);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** The z with normalCdf(z) = p, by bisection (only used for a handful of confidence levels). */
export function normalQuantile(p: number): number {
  let lo = -10, hi = 10;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface TrendTest {
  n: number;
  /** Mann–Kendall statistic S = Σ sign(y_j − y_i) over i < j. */
  s: number;
  /** Normal approximation with the tie correction and continuity correction. */
  z: number;
  /** One-sided p-value for an upward trend. */
  pIncreasing: number;
  /** Theil–Sen slope: the median of all pairwise slopes. */
  slope: number;
  /** Sen's two-sided confidence interval for the slope at the requested level. */
  slopeLow: number;
  slopeHigh: number;
}

/** Mann–Kendall trend test and the Theil–Sen slope with Sen's confidence interval. */
export function trendTest(x: ArrayLike<number>, y: ArrayLike<number>, confidence = 0.99): TrendTest {
  const n = Math.min(x.length, y.length);
  const slopes: number[] = [];
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dy = y[j] - y[i];
      s += Math.sign(dy);
      const dx = x[j] - x[i];
      if (dx !== 0) slopes.push(dy / dx);
    }
  }
  slopes.sort((a, b) => a - b);
  // Ties in y lower the variance of S.
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) counts.set(y[i], (counts.get(y[i]) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of counts.values()) if (t > 1) tieTerm += t * (t - 1) * (2 * t + 5);
  const varS = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  const z = varS <= 0 ? 0 : s > 0 ? (s - 1) / Math.sqrt(varS) : s < 0 ? (s + 1) / Math.sqrt(varS) : 0;
  const m = slopes.length;
  if (m === 0) return { n, s, z, pIncreasing: 1, slope: 0, slopeLow: 0, slopeHigh: 0 };
  const c = normalQuantile(1 - (1 - confidence) / 2) * Math.sqrt(Math.max(varS, 0));
  const lowRank = Math.max(0, Math.floor((m - c) / 2) - 1);
  const highRank = Math.min(m - 1, Math.ceil((m + c) / 2));
  return { n, s, z, pIncreasing: 1 - normalCdf(z), slope: median(slopes, true), slopeLow: slopes[lowRank], slopeHigh: slopes[highRank] };
}

export function median(values: number[], sorted = false): number {
  if (values.length === 0) return NaN;
  const v = sorted ? values : [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export interface SignTest {
  /** Steps that went up and down; equal neighbours are ties and carry no information. */
  up: number;
  down: number;
  /** One-sided p-value of at least `up` rises among up+down fair coin flips. */
  pIncreasing: number;
}

/** Sign test on first differences: does the series rise from one point to the next more often than chance? */
export function signTest(y: ArrayLike<number>): SignTest {
  let up = 0, down = 0;
  for (let i = 1; i < y.length; i++) {
    if (y[i] > y[i - 1]) up++;
    else if (y[i] < y[i - 1]) down++;
  }
  return { up, down, pIncreasing: binomialUpperTail(up, up + down) };
}

/** P(X ≥ k) for X ~ Binomial(n, 1/2), summed in log space so large n stays finite. */
export function binomialUpperTail(k: number, n: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  const logHalfN = -n * Math.LN2;
  let logC = 0; // log C(n, 0)
  let p = 0;
  for (let i = 0; i <= n; i++) {
    if (i > 0) logC += Math.log((n - i + 1) / i);
    if (i >= k) p += Math.exp(logC + logHalfN);
  }
  return Math.min(1, p);
}
