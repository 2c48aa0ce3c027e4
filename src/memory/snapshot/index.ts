/**
 * Heap snapshots: streaming parser, graph, dominators and retained sizes, retainer paths, allocation sites,
 * per-type statistics, diffs (memlab's three-snapshot method) and capture of this or another process.
 */
import { HeapSnapshot } from './graph.js';
import type { ParseOptions } from './parser.js';

export { HeapSnapshot, NO_DISTANCE, type Detachedness } from './graph.js';
export { parseSnapshot, type RawSnapshot, type SnapshotMeta, type ParseOptions } from './parser.js';
export { computeDominators, dominatorChildren, groupRetainedSizes, type Dominators } from './dominators.js';
export { computeDistances, shortestPathTree, NO_EDGE, ROOT_EDGE } from './distances.js';
export { shortestRetainerPath, formatRetainerPath, retainerTree, type RetainerStep } from './retainer-paths.js';
export { classIndex, typeStatistics, sortTypeStats, type ClassIndex, type TypeStats, type TypeSortKey } from './type-statistics.js';
export {
  diffTypeStats, findLeakedObjects, diffSnapshotFiles, hasId,
  type TypeGrowth, type LeakedType, type LeakGroup, type LeakedObjects, type LeakOptions, type SnapshotDiff,
} from './snapshot-diff.js';
export { AllocationTraces, displayFile, formatSite, isUserFile, type StackFrame, type SourceLocation } from './allocation-traces.js';
export { definitionSite, scriptFiles } from './source-locations.js';
export { backReferences, backReferencesDot, type BackReferenceGraph, type BackReferenceOptions } from './back-references.js';
export { formatBytes } from './format-bytes.js';
export { describeNode, nodesOfType, type NodeReport } from './node-report.js';
export {
  captureHeapSnapshot, captureProcessHeapSnapshot, startAllocationTracking, stopAllocationTracking,
  listeningPorts, heapSnapshotSignalOf, type CaptureResult, type ProcessCaptureOptions,
} from './capture.js';

/** Reads and parses a `.heapsnapshot` file. Throws AtelierError BAD_SNAPSHOT (naming the byte) on bad input. */
export function loadHeapSnapshot(path: string, options?: ParseOptions): HeapSnapshot {
  return HeapSnapshot.load(path, options);
}
