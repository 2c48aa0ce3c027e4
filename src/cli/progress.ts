/**
 * What the user sees while a batch renders. On a terminal, a progress bar on stderr with failure lines
 * printed above it; otherwise (a pipe, a file, CI) only the failure lines, one per failed input.
 */
import cliProgress from 'cli-progress';

export interface BatchProgress {
  /** The number of inputs is known. */
  start(total: number): void;
  /** One input finished, successfully or not. */
  tick(file: string): void;
  /** One line about one input, on stderr. */
  fail(line: string): void;
  stop(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): BatchProgress {
  const write = (line: string) => stream.write(line + '\n');
  if (!stream.isTTY) return { start() {}, tick() {}, fail: write, stop() {} };
  let multi: cliProgress.MultiBar | undefined;
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(total) {
      if (total === 0 || multi) return;
      multi = new cliProgress.MultiBar(
        {
          stream,
          format: 'rendering {bar} {value}/{total} inputs | {eta_formatted} left | {file}',
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 8,
          autopadding: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar = multi.create(total, 0, { file: '' });
    },
    tick(file) {
      bar?.increment(1, { file });
    },
    fail(line) {
      if (multi) multi.log(line + '\n');
      else write(line);
    },
    stop() {
      if (!multi) return;
      // stop() alone would drop failure lines logged since the last redraw.
      multi.update();
      multi.stop();
      multi = undefined;
      bar = undefined;
    },
  };
}
