/**
 * atelier/memory: the memory toolkit as a library (psutil, tracemalloc, objgraph and memory_profiler for Node).
 */
export { processMemory, processMemoryAsync, nodeMemory, v8Memory, combineNodeMemory, unexplainedBytes, validatePid, type ProcessMemory, type NodeMemory, type HeapSpace } from './process-memory.js';
export { runTimeline, timelineCsv, summarize, type NodeProcessSummary, type TimelineResult, type TimelineSample, type TimelineOptions } from './timeline.js';
export { timelineReport } from './timeline-report.js';
export { processTree } from './process-tree.js';
export {
  startAllocationSampling, takeAllocationProfile, stopAllocationSampling, readAllocationProfile, allocationSites,
  compareProfiles, mergeProfiles, isInternalFrame,
  type SamplingProfile, type SamplingNode, type CallFrame, type AllocationSite, type SiteDiff, type GroupBy, type SiteOptions,
} from './alloc-profile.js';
export { runWithAllocationSampling, type AllocRunResult } from './alloc-run.js';
export { runLeakTest, leakJson, validateLeakOptions, LEAK_DEFAULTS, type LeakTestOptions } from './leak-test.js';
export { judgeTrend, decide, judgeRun, TREND_P, SLOPE_CONFIDENCE, type LeakReport, type LeakSuspect, type TrendJudgement } from './leak-judge.js';
export { measureIterations, settle, snapshotPoints, type RetainedSample } from './leak-measure.js';
export { WorkerMemoryTracker, type WorkersMemory } from './worker-memory-tracker.js';
export { WORKER_MEMORY_CHANNEL, type WorkerMemoryReport } from './worker-memory-channel.js';
export { getGc, collectGarbage, offHeapCollector, type OffHeapCollector, type OffHeapCollectorOptions } from './collect-garbage.js';
export { formatLeakReport } from './leak-format.js';
export { leakReportPage } from './leak-html.js';
export { assertNoLeak, measureLeak, type AssertNoLeakOptions } from './assert-no-leak.js';
export { leastSquares, trendTest, normalCdf, median, type TrendTest, type LinearFit } from './stats.js';
export { renderReportPage, escapeHtml, type ReportBlock, type ReportChart } from './report-page.js';
export { renderTable } from './table.js';
export { parseDuration, parseSize, parsePositiveInt, MiB, formatSlope } from './units.js';
// The heap-snapshot API (parser, dominators, retainer paths, allocation sites, diffs, capture), and formatBytes.
export * from './snapshot/index.js';
export { renderDotToSvg } from './graphviz.js';
