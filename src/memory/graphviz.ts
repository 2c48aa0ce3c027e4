import type { Graphviz } from '@hpcc-js/wasm-graphviz';

// The WebAssembly module is megabytes of code: load it on first use, not with the toolkit.
let instance: Promise<Graphviz> | null = null;

/** Lays out a DOT graph with Graphviz's `dot` engine (WebAssembly, no system graphviz) and returns SVG text. */
export async function renderDotToSvg(dot: string): Promise<string> {
  instance ??= import('@hpcc-js/wasm-graphviz').then((m) => m.Graphviz.load());
  const graphviz = await instance;
  return graphviz.dot(dot, 'svg');
}

/** Quotes a string for a DOT id or label. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
