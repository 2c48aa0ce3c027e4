/**
 * `atelier mem snapshot | top | diff | path`: capture and analyse V8 heap snapshots from the terminal.
 * Every command prints a table for people and takes `--json` for machines.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AtelierError } from '../errors.js';
import {
  HeapSnapshot, backReferences, backReferencesDot, captureHeapSnapshot, captureProcessHeapSnapshot, describeNode,
  diffSnapshotFiles, nodesOfType, sortTypeStats, typeStatistics, type NodeReport, type TypeSortKey,
} from '../memory/snapshot/index.js';
import { renderDotToSvg } from '../memory/graphviz.js';
import { renderTable } from '../memory/table.js';
import { formatBytes, parsePositiveInt } from '../memory/units.js';

function integer(name: string, max = 1_000_000) {
  return (v: string): number => parsePositiveInt(v, name, 1, max);
}

function oneOf<T extends string>(name: string, allowed: readonly T[]) {
  return (v: string): T => {
    if (!(allowed as readonly string[]).includes(v)) throw new AtelierError('INVALID_ARGUMENT', `${name} must be one of ${allowed.join(', ')}, got "${v}"`);
    return v as T;
  };
}

const count = (n: number) => n.toLocaleString('en-US');
const signed = (n: number, f: (n: number) => string) => (n > 0 ? `+${f(n)}` : f(n));

function load(file: string): HeapSnapshot {
  return HeapSnapshot.load(file);
}

function defaultSnapshotName(pid: number): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `Heap.${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}.${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}.${pid}.heapsnapshot`;
}

/** Resolves `@id` or a class name to the node to show (the instance with the largest retained size). */
function findTarget(g: HeapSnapshot, target: string, file: string): { node: number; sameType: number } {
  if (/^@\d+$/.test(target)) {
    const node = g.findById(Number(target.slice(1)));
    if (node < 0) throw new AtelierError('NOT_FOUND', `no object with id ${target} in ${file}`);
    return { node, sameType: 1 };
  }
  const nodes = nodesOfType(g, target);
  if (nodes.length === 0) {
    const names = new Set(typeStatistics(g, { retained: false }).map((r) => r.type));
    const close = [...names].filter((n) => n.toLowerCase().includes(target.toLowerCase())).slice(0, 5);
    throw new AtelierError('NOT_FOUND', `no object of type "${target}" in ${file}${close.length ? ` (similar: ${close.join(', ')})` : ''}`);
  }
  return { node: nodes[0], sameType: nodes.length };
}

function pathLines(r: NodeReport): string[] {
  if (!r.retainerSteps) return ['  (reachable only through weak references, or not at all: it will be collected)'];
  return r.retainerSteps.map((s, k) => (k === 0 ? `  ${s.label} @${s.id}` : `  ${'  '.repeat(Math.min(k, 12))}--${s.edge} (${s.edgeType})--> ${s.label} @${s.id}`));
}

/** Where the commands print; tests pass their own to read the output. */
export interface HeapCommandOutput {
  write(text: string): unknown;
}

export function registerHeapCommands(mem: Command, output: HeapCommandOutput = process.stdout): void {
  const print = (text: string): void => {
    output.write(text.endsWith('\n') ? text : text + '\n');
  };
  const printJson = (value: unknown): void => {
    output.write(JSON.stringify(value, null, 2) + '\n');
  };

  mem
    .command('snapshot')
    .description('write a heap snapshot of this process, or of a running Node process (--pid)')
    .option('--pid <pid>', 'process to snapshot (via its inspector, or --heapsnapshot-signal when it has one)', integer('--pid', 2 ** 22))
    .option('-o, --output <file>', 'snapshot file to write (default Heap.<date>.<time>.<pid>.heapsnapshot)')
    .option('--method <method>', 'auto, inspector or signal (with --pid)', oneOf('--method', ['auto', 'inspector', 'signal'] as const), 'auto')
    .option('--port <port>', 'inspector port of the target, when known', integer('--port', 65535))
    .option('--json', 'print the result as JSON')
    .action(async (opts: { pid?: number; output?: string; method: 'auto' | 'inspector' | 'signal'; port?: number; json?: boolean }) => {
      const pid = opts.pid ?? process.pid;
      const out = resolve(opts.output ?? defaultSnapshotName(pid));
      const started = Date.now();
      const r = opts.pid === undefined ? await captureHeapSnapshot(out) : await captureProcessHeapSnapshot(opts.pid, out, { method: opts.method, port: opts.port });
      const result = { pid, path: r.path, bytes: r.bytes, method: r.method, ms: Date.now() - started };
      if (opts.json) printJson(result);
      else print(`wrote ${r.path} (${formatBytes(r.bytes)}) from process ${pid} via ${r.method} in ${result.ms} ms`);
    });

  mem
    .command('top')
    .description('object types by count, self size and retained size (like objgraph.show_most_common_types)')
    .argument('<snapshot>', '.heapsnapshot file')
    .option('--sort <key>', 'count, self or retained', oneOf('--sort', ['count', 'self', 'retained'] as const), 'retained')
    .option('--limit <n>', 'rows to show', integer('--limit'), 25)
    .option('--json', 'print JSON')
    .action((file: string, opts: { sort: TypeSortKey; limit: number; json?: boolean }) => {
      const g = load(file);
      const rows = sortTypeStats(typeStatistics(g), opts.sort).slice(0, opts.limit);
      const totalSize = g.retainedSize(0);
      if (opts.json) {
        printJson({ file, nodeCount: g.nodeCount, edgeCount: g.edgeCount, totalSize, sort: opts.sort, types: rows });
        return;
      }
      print(`${file}: ${count(g.nodeCount)} objects, ${formatBytes(totalSize)} (sorted by ${opts.sort})\n`);
      print(renderTable(['Type', 'Count', 'Self size', 'Retained size'], rows.map((r) => [r.type, count(r.count), formatBytes(r.selfSize), formatBytes(r.retainedSize)])));
    });

  mem
    .command('diff')
    .description('growth by type between snapshots; with three, the objects new in s2 still alive in s3 (memlab\'s method)')
    .argument('<s1>', 'baseline snapshot')
    .argument('<s2>', 'target snapshot (after the suspected leak)')
    .argument('[s3]', 'final snapshot (after cleaning up)')
    .option('--limit <n>', 'rows per table', integer('--limit'), 20)
    .option('--all-types', 'keep V8 internals (code, system objects, internal arrays) among leak candidates')
    .option('--json', 'print JSON')
    .action((s1: string, s2: string, s3: string | undefined, opts: { limit: number; allTypes?: boolean; json?: boolean }) => {
      const files = s3 ? [s1, s2, s3] : [s1, s2];
      const d = diffSnapshotFiles(files, { includeInternal: opts.allTypes, maxGroups: Math.max(opts.limit, 50) });
      if (opts.json) {
        printJson({ ...d, growth: d.growth.slice(0, opts.limit), leaks: d.leaks && { ...d.leaks, byType: d.leaks.byType.slice(0, opts.limit), byPath: d.leaks.byPath.slice(0, opts.limit) } });
        return;
      }
      print(`Growth by type, ${files[0]} → ${files[files.length - 1]}:\n`);
      const grown = d.growth.filter((r) => r.countDelta > 0 || r.sizeDelta > 0).slice(0, opts.limit);
      print(grown.length ? renderTable(['Type', 'Count', 'Δ count', 'Self size', 'Δ size'], grown.map((r) => [r.type, count(r.countAfter), signed(r.countDelta, count), formatBytes(r.sizeAfter), signed(r.sizeDelta, formatBytes)])) : '(nothing grew)');
      if (!d.leaks) return;
      const l = d.leaks;
      print(`\nAllocated between s1 and s2, still alive in s3: ${count(l.leakedCount)} objects, ${formatBytes(l.leakedSelfSize)} self size\n`);
      if (l.byType.length === 0) return;
      print(renderTable(['Type', 'Count', 'Self size', 'Retained size'], l.byType.slice(0, opts.limit).map((r) => [r.type, count(r.count), formatBytes(r.selfSize), formatBytes(r.retainedSize)])));
      print('\nBy retainer path:');
      for (const grp of l.byPath.slice(0, opts.limit)) {
        print(`\n${grp.type} × ${count(grp.count)}, ${formatBytes(grp.retainedSize)} retained${grp.allocationSite ? `, allocated in ${grp.allocationSite}` : ''} (e.g. @${grp.sampleIds[0]})`);
        print(grp.retainerPath.map((p, k) => `  ${'  '.repeat(k)}${k ? '└ ' : ''}${p}`).join('\n'));
      }
    });

  mem
    .command('path')
    .description('shortest retainer chain from a GC root to an object (by @id, or the largest of a type), and a picture of its back-references')
    .argument('<snapshot>', '.heapsnapshot file')
    .argument('<target>', 'a type name (e.g. Leaky, "(closure)") or @id')
    .option('--svg <file>', 'write the back-reference graph as SVG')
    .option('--depth <n>', 'levels of retainers in the picture', integer('--depth', 20), 4)
    .option('--json', 'print JSON')
    .action(async (file: string, target: string, opts: { svg?: string; depth: number; json?: boolean }) => {
      const g = load(file);
      const { node, sameType } = findTarget(g, target, file);
      const report = describeNode(g, node);
      let svgPath: string | null = null;
      if (opts.svg) {
        const svg = await renderDotToSvg(backReferencesDot(g, backReferences(g, node, { depth: opts.depth })));
        svgPath = resolve(opts.svg);
        writeFileSync(svgPath, svg);
      }
      if (opts.json) {
        const { retainerSteps, node: _ordinal, ...rest } = report;
        printJson({ file, target: rest, sameTypeCount: sameType, steps: retainerSteps?.map(({ node: _n, ...s }) => s) ?? null, svg: svgPath });
        return;
      }
      const many = sameType > 1 ? ` (${count(sameType)} objects of this type; showing the one that retains most)` : '';
      print(`${report.type} @${report.id}: self ${formatBytes(report.selfSize)}, retained ${formatBytes(report.retainedSize)}, distance ${report.distance ?? '-'}${many}`);
      if (report.allocationSite) print(`allocated in ${report.allocationSite}  (${report.allocationStack.slice(0, 3).join(' ← ')})`);
      if (report.definedAt) print(`${report.nodeType === 'closure' ? 'function' : 'constructor'} defined at ${report.definedAt}`);
      print('\nShortest retainer path from a GC root:');
      print(pathLines(report).join('\n'));
      if (svgPath) print(`\nback-references drawn in ${svgPath}`);
    });
}
