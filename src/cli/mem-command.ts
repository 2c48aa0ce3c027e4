/**
 * `atelier mem …`: the memory toolkit on the command line. Each subcommand prints a table on a terminal and JSON
 * with --json; the work is done by the library `atelier/memory` (src/memory), this file only parses and prints.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AtelierError, isAtelierError } from '../errors.js';
import {
  allocationSites, compareProfiles, formatBytes, formatLeakReport, leakJson, leakReportPage, nodeMemory, parseDuration,
  parsePositiveInt, parseSize, processMemory, readAllocationProfile, renderTable, runLeakTest, runTimeline,
  runWithAllocationSampling, timelineCsv, timelineReport, type AllocationSite, type GroupBy, type TimelineResult, formatSlope,
} from '../memory/index.js';
import { formatError } from './fail.js';
import { registerHeapCommands } from './mem-heap-commands.js';

function writeOutput(file: string, text: string, what: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new AtelierError('INVALID_ARGUMENT', `cannot write ${what} to ${file}: ${(e as Error).message}`);
  }
}

const printJson = (v: unknown): void => { process.stdout.write(JSON.stringify(v, null, 2) + '\n'); };

function registerInfo(mem: Command): void {
  mem.command('info')
    .description('RSS, USS, PSS and swap of a process; for this process also the V8 heap per space, external, ArrayBuffers and unexplained RSS')
    .option('--pid <pid>', 'the process to inspect (default: this one)')
    .option('--json', 'print JSON')
    .action((o: { pid?: string; json?: boolean }) => {
      if (o.pid !== undefined && Number(o.pid) !== process.pid) {
        const m = processMemory(o.pid as unknown as number);
        if (o.json) return printJson(m);
        process.stdout.write(renderTable(['pid', 'RSS', 'USS', 'PSS', 'swap'], [[m.pid, formatBytes(m.rss), formatBytes(m.uss), formatBytes(m.pss), formatBytes(m.swap)]]));
        return;
      }
      const m = nodeMemory();
      if (o.json) return printJson(m);
      process.stdout.write(renderTable(['figure', 'bytes', ''], [
        ['RSS', formatBytes(m.rss), 'resident pages, shared included'],
        ['USS', formatBytes(m.uss), 'private: freed if the process exits'],
        ['PSS', formatBytes(m.pss), 'shared pages divided among sharers'],
        ['swap', formatBytes(m.swap), ''],
        ['heap used', formatBytes(m.heapUsed), 'V8 objects'],
        ['heap total', formatBytes(m.heapTotal), 'V8 heap committed'],
        ['external', formatBytes(m.external), 'memory owned by JS objects outside the heap'],
        ['ArrayBuffers', formatBytes(m.arrayBuffers), 'part of external: Buffer and typed-array stores'],
        ['code', formatBytes(m.code), 'binary and shared libraries resident'],
        ['unexplained', formatBytes(m.unexplained), 'RSS − (heap + external + code): allocator retention, native'],
      ], { title: `pid ${m.pid}` }));
      process.stdout.write('\n' + renderTable(['space', 'used', 'size', 'available'], m.spaces.map((s) => [s.name, formatBytes(s.used), formatBytes(s.size), formatBytes(s.available)])));
    });
}

function printTimeline(r: TimelineResult): void {
  process.stderr.write('\n' + renderTable(['figure', 'value'], [
    ['command', r.command.join(' ')],
    ['exit code', r.exitCode],
    ['duration', `${r.durationSeconds.toFixed(2)} s`],
    ['samples', `${r.samples.length} (every ${r.intervalMs} ms)`],
    ['peak RSS', formatBytes(r.peak.rss)],
    ['peak USS', formatBytes(r.peak.uss)],
    ['peak PSS', formatBytes(r.peak.pss)],
    ['peak heap used', r.peak.heapUsed === null ? 'n/a (no Node process)' : formatBytes(r.peak.heapUsed)],
    ['peak external', r.peak.external === null ? 'n/a' : formatBytes(r.peak.external)],
    ['RSS slope ± standard error', formatSlope(r.slope.rss, r.slopeError.rss)],
    ['USS slope ± standard error', formatSlope(r.slope.uss, r.slopeError.uss)],
    ['heap slope ± standard error', formatSlope(r.slope.heapUsed, r.slopeError.heapUsed)],
  ], { title: 'atelier mem run' }));
  if (r.nodeProcesses.length > 0) {
    process.stderr.write('\n' + renderTable(['pid', 'program', 'RSS', 'heap used', 'heap total', 'external', 'ArrayBuffers', 'code', 'unexplained'],
      r.nodeProcesses.map((p) => [p.pid, p.argv.join(' '), formatBytes(p.rss), formatBytes(p.heapUsed), formatBytes(p.heapTotal), formatBytes(p.external), formatBytes(p.arrayBuffers), formatBytes(p.code), formatBytes(p.unexplained)]),
      { title: 'Node processes at exit (unexplained = RSS − heap total − external − code)', maxCellWidth: 40 }));
  }
}

function registerRun(mem: Command): void {
  mem.command('run')
    .description('run a command and sample the memory of its process tree over time (RSS, USS; V8 heap for Node)')
    .argument('<command...>', 'the command to run, after --')
    .option('--interval <duration>', 'sampling interval', '100ms')
    .option('--report <file.html>', 'write an HTML chart')
    .option('--csv <file>', 'write the samples as CSV')
    .option('--json [file]', 'write the result as JSON to a file, or print it when no file is given')
    .option('--no-children', 'measure only the command, not its child processes')
    .passThroughOptions()
    .action(async (argv: string[], o: { interval: string; report?: string; csv?: string; json?: string | boolean; children: boolean }) => {
      const intervalMs = parseDuration(o.interval, '--interval', 10);
      const r = await runTimeline(argv, { intervalMs, includeChildren: o.children });
      if (o.csv) writeOutput(o.csv, timelineCsv(r), 'CSV');
      if (typeof o.json === 'string') writeOutput(o.json, JSON.stringify(r, null, 2), 'JSON');
      if (o.report) writeOutput(o.report, timelineReport(r), 'the report');
      if (o.json === true) printJson(r);
      else printTimeline(r);
      process.exitCode = r.exitCode;
    });
}

function siteRows(sites: AllocationSite[], top: number): (string | number)[][] {
  return sites.slice(0, top).map((s) => [formatBytes(s.selfBytes), formatBytes(s.totalBytes), s.functionName, s.file ? (s.line ? `${s.file}:${s.line}` : s.file) : '(native)']);
}

interface AllocOpts { by: string; top: string; internals?: boolean; json?: boolean }
function siteOptions(o: AllocOpts): { by: GroupBy; top: number; internals: boolean } {
  if (o.by !== 'function' && o.by !== 'file') throw new AtelierError('INVALID_ARGUMENT', `--by must be function or file (got "${o.by}")`);
  return { by: o.by, top: parsePositiveInt(o.top, '--top', 1, 10_000), internals: !!o.internals };
}

function printSites(sites: AllocationSite[], o: AllocOpts, title: string): void {
  const { top } = siteOptions(o);
  if (o.json) return printJson(sites.slice(0, top));
  process.stdout.write(renderTable(['live (self)', 'live (total)', 'function', 'where'], siteRows(sites, top), { title }));
}

function registerAlloc(mem: Command): void {
  const common = (c: Command) => c
    .option('--by <function|file>', 'group by function (file:line where it is defined) or by file', 'function')
    .option('--top <n>', 'how many sites to show', '20')
    .option('--internals', 'attribute allocations to Node internals too (default: to the innermost user frame)')
    .option('--json', 'print JSON');
  common(mem.command('alloc')
    .description('run a Node command with the sampling heap profiler and show where its live memory was allocated')
    .argument('<command...>', 'the command to run, after --')
    .option('--sampling-interval <size>', 'mean bytes between samples', '32k')
    .option('-o, --output <file.heapprofile>', 'save the profile (opens in Chrome DevTools)'))
    .passThroughOptions()
    .action(async (argv: string[], o: AllocOpts & { samplingInterval: string; output?: string }) => {
      const opts = siteOptions(o);
      const samplingInterval = parseSize(o.samplingInterval, '--sampling-interval', 1, 1 << 30);
      const r = await runWithAllocationSampling(argv, { samplingInterval, stdio: o.json ? 'ignore' : 'inherit' });
      if (!r.profile) throw new AtelierError('INVALID_ARGUMENT', `no Node process reported a profile (is "${argv[0]}" a Node program?)`);
      if (o.output) writeOutput(o.output, JSON.stringify(r.profile), 'the profile');
      printSites(allocationSites(r.profile, opts), o, `live allocations at exit (${r.processes} Node process${r.processes === 1 ? '' : 'es'}, exit code ${r.exitCode})`);
      process.exitCode = r.exitCode;
    });
  common(mem.command('alloc-show')
    .description('show the allocation sites of a saved .heapprofile')
    .argument('<profile>', '.heapprofile file'))
    .action((file: string, o: AllocOpts) => {
      const opts = siteOptions(o);
      printSites(allocationSites(readAllocationProfile(file), opts), o, file);
    });
  common(mem.command('alloc-diff')
    .description('live bytes per allocation site, growth from profile a to profile b (tracemalloc compare_to)')
    .argument('<a>', 'the earlier .heapprofile')
    .argument('<b>', 'the later .heapprofile'))
    .action((a: string, b: string, o: AllocOpts) => {
      const opts = siteOptions(o);
      const diffs = compareProfiles(readAllocationProfile(a), readAllocationProfile(b), opts).slice(0, opts.top);
      if (o.json) return printJson(diffs);
      process.stdout.write(renderTable(['growth', 'before', 'after', 'function', 'where'],
        diffs.map((d) => [(d.diff > 0 ? '+' : '') + formatBytes(d.diff), formatBytes(d.before), formatBytes(d.after), d.functionName, d.file ? (d.line ? `${d.file}:${d.line}` : d.file) : '(native)'])));
    });
}

function registerLeaks(mem: Command): void {
  mem.command('leaks')
    .description('leak test: run a scenario module (default export: async function iteration) and judge whether memory grows; exit 1 leak, 0 clean, 2 scenario error')
    .argument('<scenario>', 'ES module: export default async function iteration(); optional setup() and teardown()')
    .option('--iterations <n>', 'measured iterations', '60')
    .option('--warmup <n>', 'unmeasured iterations first', '10')
    .option('--timeout <duration>', 'give up after', '5m')
    .option('--report <file.html>', 'write an HTML report')
    .option('--keep-snapshots <dir>', 'keep the three heap snapshots in this folder')
    .option('--json', 'print {verdict, bytesPerIteration, suspects}')
    .action(async (scenario: string, o: { iterations: string; warmup: string; timeout: string; report?: string; keepSnapshots?: string; json?: boolean }) => {
      const iterations = parsePositiveInt(o.iterations, '--iterations', 9, 100_000);
      const warmup = parsePositiveInt(o.warmup, '--warmup', 0, 100_000);
      const timeoutMs = parseDuration(o.timeout, '--timeout', 1000, 24 * 3_600_000);
      try {
        const r = await runLeakTest(scenario, { iterations, warmup, timeoutMs, keepSnapshots: o.keepSnapshots });
        if (o.report) writeOutput(o.report, leakReportPage(scenario, r), 'the report');
        if (o.json) printJson(leakJson(r));
        else process.stdout.write(formatLeakReport(r, scenario));
        process.exitCode = r.verdict === 'leak' ? 1 : 0;
      } catch (e) {
        // Exit 2 is "the scenario (or its file) is at fault", with the scenario's own stack when it threw.
        process.stderr.write(formatError(e) + '\n');
        const stack = isAtelierError(e) ? (e.details?.stack as string | undefined) : undefined;
        if (stack) process.stderr.write(stack + '\n');
        process.exitCode = 2;
      }
    });
}

export function registerMem(program: Command): void {
  const mem = program.command('mem').description('memory toolkit: process memory, timelines, allocation sites, heap snapshots, leak tests')
    .enablePositionalOptions();
  registerInfo(mem);
  registerRun(mem);
  registerAlloc(mem);
  registerLeaks(mem);
  registerHeapCommands(mem);
}
