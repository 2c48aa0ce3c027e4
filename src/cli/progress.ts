/**
 * What the user sees while a batch renders. On a terminal, a progress bar on stderr with failure lines
 * printed above it; otherwise (a pipe, a file, CI) only the failure lines, one per failed input.
 */
import cliProgress from 'cli-progress';

export interface BatchProgress {
  /** One input finished, successfully or not. */
  tick(file: string): void;
  /** One line about one input, on stderr. */
  fail(line: string): void;
  stop(): void;
}

export function createProgress(total: number, stream: NodeJS.WriteStream = process.stderr): BatchProgress {
  if (!stream.isTTY || total === 0) {
    return {
      tick() {},
      fail(line) {
        stream.write(line + '\n');
      },
      stop() {},
    };
  }
  const multi = new cliProgress.MultiBar(
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
  const bar = multi.create(total, 0, { file: '' });
  let stopped = false;
  return {
    tick(file) {
      bar.increment(1, { file });
    },
    fail(line) {
      multi.log(line + '\n');
    },
    stop() {
      if (stopped) return;
      stopped = true;
      // stop() alone would drop failure lines logged since the last redraw.
      multi.update();
      multi.stop();
    },
  };
}
