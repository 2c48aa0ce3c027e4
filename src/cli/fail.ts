import { isAtelierError } from '../errors.js';

/** One line on stderr, then a non-zero exit: the CLI's only way to report failure. */
export function formatError(e: unknown): string {
  if (isAtelierError(e)) return `atelier: ${e.message}`;
  if (e instanceof Error) return `atelier: ${e.message.split('\n')[0]}`;
  return `atelier: ${String(e)}`;
}

export function printErrorAndExit(e: unknown, code = 1): never {
  process.stderr.write(formatError(e) + '\n');
  if (process.env.ATELIER_DEBUG && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
  process.exit(code);
}
