/**
 * `atelier mem alloc -- <command…>`: runs a command with the allocation-sampling preload in every Node process it
 * starts, and returns the live-allocation profile at exit (several processes merge under one root).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtelierError } from '../errors.js';
import { mergeProfiles, readAllocationProfile, type SamplingProfile } from './alloc-profile.js';
import { toolkitModule } from './toolkit-files.js';

export interface AllocRunResult { exitCode: number; profile: SamplingProfile | null; processes: number }

export async function runWithAllocationSampling(argv: string[], opts: { samplingInterval?: number; stdio?: 'inherit' | 'ignore'; env?: NodeJS.ProcessEnv } = {}): Promise<AllocRunResult> {
  if (argv.length === 0) throw new AtelierError('INVALID_ARGUMENT', 'no command given (usage: atelier mem alloc -- <command…>)');
  const dir = mkdtempSync(join(tmpdir(), 'atelier-mem-alloc-'));
  try {
    const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env) };
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --import="${toolkitModule('alloc-preload').url}"`.trim();
    env.ATELIER_ALLOC_DIR = dir;
    env.ATELIER_ALLOC_INTERVAL = String(opts.samplingInterval ?? 32768);
    const child = spawn(argv[0], argv.slice(1), { env, stdio: opts.stdio ?? 'inherit' });
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new AtelierError('INVALID_ARGUMENT', `command not found: ${argv[0]}`) : e));
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
    const files = readdirSync(dir).filter((f) => f.endsWith('.heapprofile')).sort();
    const profiles = files.map((f) => readAllocationProfile(join(dir, f)));
    return { exitCode, profile: profiles.length ? mergeProfiles(profiles) : null, processes: profiles.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
