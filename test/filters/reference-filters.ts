// Slow, straightforward implementations of the spec's arithmetic, written independently of src/filters so the
// fast kernels can be checked against them on small images. Plain arrays, one pixel at a time.
const f = Math.fround;

type Img = number[][][]; // [y][x][c], float32 values

export function toUnit(rgb: Uint8Array, w: number, h: number): Img {
  const inv = f(1 / 255);
  const out: Img = [];
  for (let y = 0; y < h; y++) {
    out.push([]);
    for (let x = 0; x < w; x++) out[y].push([0, 1, 2].map((c) => f(rgb[(y * w + x) * 3 + c] * inv)));
  }
  return out;
}

/** Domain steps 1 + k·Σ|ΔI| (summed B, G, R as OpenCV does; or the one channel), horizontal and vertical. */
export function domainSteps(I: Img, k: number): { hz: number[][]; vt: number[][] } {
  const h = I.length, w = I[0].length;
  const hz: number[][] = [], vt: number[][] = [];
  for (let y = 0; y < h; y++) {
    hz.push([]);
    vt.push([]);
    for (let x = 0; x < w; x++) {
      let dx = 0, dy = 0;
      for (const c of I[y][x].length === 1 ? [0] : [2, 1, 0]) {
        if (x > 0) dx = f(dx + Math.abs(f(I[y][x][c] - I[y][x - 1][c])));
        if (y > 0) dy = f(dy + Math.abs(f(I[y][x][c] - I[y - 1][x][c])));
      }
      hz[y].push(f(1 + f(k * dx)));
      vt[y].push(f(1 + f(k * dy)));
    }
  }
  return { hz, vt };
}

function sigmaH(sigmaS: number, i: number): number {
  return f((f(sigmaS) * Math.sqrt(3) * 2 ** (2 - i)) / Math.sqrt(63));
}

/** Applies `line` to every row, then every column, three times; lines are arrays of pixels. */
function iterate(I: Img, d: { hz: number[][]; vt: number[][] }, sigmaS: number, line: (px: number[][], dd: number[], i: number) => void): Img {
  const h = I.length, w = I[0].length;
  const O = I.map((r) => r.map((p) => [...p]));
  for (let i = 0; i < 3; i++) {
    for (let y = 0; y < h; y++) line(O[y], d.hz[y], i);
    for (let x = 0; x < w; x++) {
      const col = O.map((r) => r[x]);
      line(col, d.vt.map((r) => r[x]), i);
    }
  }
  return O;
}

/**
 * The RF as the spec states it, every operation in float32; with `oneRounding`, each update O + (P − O)·v is
 * computed in double and rounded to float32 once (the production kernels' arithmetic, see domain-transform.ts);
 * with `squared`, the weights of iteration i > 0 are those of iteration i − 1 squared in float32 (a_i = a_{i−1}²,
 * the production weights of `detail`) rather than a fresh power a_i^d.
 */
export function recursiveFilter(I: Img, d: { hz: number[][]; vt: number[][] }, sigmaS: number, oneRounding = false, squared = false): Img {
  const update = oneRounding ? (o: number, p: number, v: number) => f(o + (p - o) * v) : (o: number, p: number, v: number) => f(o + f(f(p - o) * v));
  const a0 = f(Math.exp(-Math.SQRT2 / sigmaH(sigmaS, 0)));
  const weight = (dd: number, i: number) => {
    if (!squared) return f(Math.pow(f(Math.exp(-Math.SQRT2 / sigmaH(sigmaS, i))), dd));
    let v = f(Math.pow(a0, dd));
    for (let s = 0; s < i; s++) v = f(v * v);
    return v;
  };
  return iterate(I, d, sigmaS, (px, dd, i) => {
    const n = px.length;
    for (let x = 1; x < n; x++) {
      const v = weight(dd[x], i);
      for (let c = 0; c < px[x].length; c++) px[x][c] = update(px[x][c], px[x - 1][c], v);
    }
    for (let x = n - 2; x >= 0; x--) {
      const v = weight(dd[x + 1], i);
      for (let c = 0; c < px[x].length; c++) px[x][c] = update(px[x][c], px[x + 1][c], v);
    }
  });
}

/** The window of each sample by brute force: every k with ct[j] − r < ct[k] ≤ ct[j] + r. */
export function windows(ct: number[], r: number): [number, number][] {
  return ct.map((c) => {
    const inside = ct.map((v, k) => (v > f(c - r) && v <= f(c + r) ? k : -1)).filter((k) => k >= 0);
    return [inside[0], inside[inside.length - 1] + 1];
  });
}

export function cumulative(d: number[]): number[] {
  const ct = [d[0]];
  for (let x = 1; x < d.length; x++) ct.push(f(ct[x - 1] + d[x]));
  return ct;
}

export function normalizedConvolution(I: Img, d: { hz: number[][]; vt: number[][] }, sigmaS: number): Img {
  return iterate(I, d, sigmaS, (px, dd, i) => {
    const r = f(f(Math.sqrt(3)) * sigmaH(sigmaS, i));
    const win = windows(cumulative(dd), r);
    const ch = px[0].length;
    const S: number[][] = [new Array(ch).fill(0)];
    for (let x = 0; x < px.length; x++) S.push(px[x].map((v, c) => f(S[x][c] + v)));
    for (let x = 0; x < px.length; x++) {
      const [L, U] = win[x];
      for (let c = 0; c < ch; c++) px[x][c] = f(f(S[U][c] - S[L][c]) / (U - L));
    }
  });
}

/** stylization: NC, then a Sobel gradient magnitude (in double, reflect-101 borders), res·(1 − Σ magnitudes). */
export function watercolor(rgb: Uint8Array, w: number, h: number, sigmaS: number, sigmaR: number): Uint8Array {
  const I = toUnit(rgb, w, h);
  const R = normalizedConvolution(I, domainSteps(I, f(f(sigmaS) / f(sigmaR))), sigmaS);
  const at = (y: number, x: number, c: number) => {
    const yy = h === 1 ? 0 : y < 0 ? -y : y >= h ? 2 * h - 2 - y : y;
    const xx = w === 1 ? 0 : x < 0 ? -x : x >= w ? 2 * w - 2 - x : x;
    return R[yy][xx][c];
  };
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let m = 0;
    for (const c of [2, 1, 0]) {
      const gx = (at(y - 1, x + 1, c) - at(y - 1, x - 1, c)) + 2 * (at(y, x + 1, c) - at(y, x - 1, c)) + (at(y + 1, x + 1, c) - at(y + 1, x - 1, c));
      const gy = (at(y + 1, x - 1, c) + 2 * at(y + 1, x, c) + at(y + 1, x + 1, c)) - (at(y - 1, x - 1, c) + 2 * at(y - 1, x, c) + at(y - 1, x + 1, c));
      m += Math.hypot(gx, gy);
    }
    for (let c = 0; c < 3; c++) out[(y * w + x) * 3 + c] = toU8(R[y][x][c] * (1 - m) * 255);
  }
  return out;
}

/** Oil painting by brute force: every window histogrammed from scratch. */
export function oil(rgb: Uint8Array, w: number, h: number, radius: number, dynRatio: number, truncate: boolean): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  const q = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) {
    const lum = (3735 * rgb[i * 3 + 2] + 19235 * rgb[i * 3 + 1] + 9798 * rgb[i * 3] + 16384) >> 15;
    const v = f(lum * f(1 / dynRatio));
    const fl = Math.floor(v);
    q[i] = Math.min(255, v - fl > 0.5 || (v - fl === 0.5 && fl % 2 === 1) ? fl + 1 : fl);
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const count = new Array(256).fill(0);
      const sums: number[][] = Array.from({ length: 256 }, () => [0, 0, 0]);
      for (let yy = Math.max(0, y - radius); yy <= Math.min(h - 1, y + radius); yy++) {
        for (let xx = Math.max(0, x - radius); xx <= Math.min(w - 1, x + radius); xx++) {
          const i = yy * w + xx;
          count[q[i]]++;
          for (let c = 0; c < 3; c++) sums[q[i]][c] += rgb[i * 3 + c];
        }
      }
      let mode = 0;
      for (let b = 0; b < 256; b++) if (count[b] > count[mode]) mode = b;
      for (let c = 0; c < 3; c++) {
        const m = sums[mode][c] / count[mode];
        const fl = Math.floor(m);
        out[(y * w + x) * 3 + c] = truncate ? fl : m - fl > 0.5 || (m - fl === 0.5 && fl % 2 === 1) ? fl + 1 : fl;
      }
    }
  }
  return out;
}

export function toU8(v: number): number {
  if (!(v > 0)) return 0;
  if (v >= 255) return 255;
  const fl = Math.floor(v);
  return v - fl > 0.5 || (v - fl === 0.5 && fl % 2 === 1) ? fl + 1 : fl;
}
