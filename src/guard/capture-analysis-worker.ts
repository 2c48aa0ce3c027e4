/**
 * Worker-thread entry that writes a capture's HTML analysis, so parsing the heap snapshot never blocks the
 * server's event loop.
 */
import { writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { captureAnalysisHtml, type AnalysisInput } from './capture-analysis.js';

const { input, out } = workerData as { input: AnalysisInput; out: string };
writeFileSync(out, captureAnalysisHtml(input));
parentPort?.postMessage('done');
