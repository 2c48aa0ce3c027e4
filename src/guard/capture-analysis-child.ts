/** Child-process entry that writes a capture's HTML analysis (see diagnostics.ts), then exits. */
import { writeFileSync } from 'node:fs';
import { captureAnalysisHtml, type AnalysisInput } from './capture-analysis.js';

process.once('message', (msg) => {
  const { input, out } = msg as { input: AnalysisInput; out: string };
  writeFileSync(out, captureAnalysisHtml(input));
  process.exit(0);
});
