/**
 * Running the user's command for `mem run` and `mem alloc`: spawn it, map "not found" to a clear error, and
 * survive the terminal's Ctrl-C (which reaches the child too) so that what was measured is still reported.
 * The exit code is the command's, or 128 + the signal number when a signal ended it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { AtelierError } from '../errors.js';

export interface ChildCommandOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  stdio?: 'inherit' | 'ignore';
  /** Called once the process exists (its pid is known). */
  onSpawn?: (child: ChildProcess) => void;
}

export interface ChildCommandResult { exitCode: number; signal: NodeJS.Signals | null }

/** Appends a preload to NODE_OPTIONS (quoted: NODE_OPTIONS splits on spaces). */
export function withPreload(env: NodeJS.ProcessEnv, url: string): string {
  return `${env.NODE_OPTIONS ?? ''} --import="${url}"`.trim();
}

export async function runChildCommand(argv: string[], opts: ChildCommandOptions): Promise<ChildCommandResult> {
  const ignore = (): void => {};
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  try {
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: opts.env, stdio: opts.stdio ?? 'inherit' });
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', (e: NodeJS.ErrnoException) => {
        reject(e.code === 'ENOENT' ? new AtelierError('INVALID_ARGUMENT', `command not found: ${argv[0]}`) : new AtelierError('INTERNAL', `cannot run ${argv[0]}: ${e.message}`));
      });
      child.once('spawn', () => opts.onSpawn?.(child));
      child.once('exit', (c, s) => resolve({ code: c, signal: s }));
    });
    return { exitCode: code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1), signal };
  } finally {
    process.off('SIGINT', ignore);
    process.off('SIGTERM', ignore);
  }
}
