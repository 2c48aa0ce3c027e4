/**
 * `atelier mem alloc -- <command…>`: runs a command with the allocation-sampling preload in every Node process it
 * starts, and returns the live-allocation profile at exit (several processes merge under one root).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtelierError } from '../errors.js';
import { mergeProfiles, readAllocationProfile, type SamplingProfile } from './alloc-profile.js';
import { runChildCommand, withPreload } from './child-command.js';
import { toolkitModule } from './toolkit-files.js';

export interface AllocRunResult { exitCode: number; profile: SamplingProfile | null; processes: number }

export async function runWithAllocationSampling(argv: string[], opts: { samplingInterval?: number; stdio?: 'inherit' | 'ignore'; env?: NodeJS.ProcessEnv } = {}): Promise<AllocRunResult> {
  if (argv.length === 0) throw new AtelierError('INVALID_ARGUMENT', 'no command given (usage: atelier mem alloc -- <command…>)');
  const dir = mkdtempSync(join(tmpdir(), 'atelier-mem-alloc-'));
  try {
    const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env) };
    env.NODE_OPTIONS = withPreload(env, toolkitModule('alloc-preload').url);
    env.ATELIER_ALLOC_DIR = dir;
    env.ATELIER_ALLOC_INTERVAL = String(opts.samplingInterval ?? 32768);
    const { exitCode } = await runChildCommand(argv, { env, stdio: opts.stdio });
    const files = readdirSync(dir).filter((f) => f.endsWith('.heapprofile')).sort();
    const profiles = files.map((f) => readAllocationProfile(join(dir, f)));
    return { exitCode, profile: profiles.length ? mergeProfiles(profiles) : null, processes: profiles.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
