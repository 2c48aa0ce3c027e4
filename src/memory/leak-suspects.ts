/**
 * Suspects from three heap snapshots taken at iterations k, 2k, 3k (memlab's method, with allocation sites).
 * Placeholder until the snapshot analysis lands: no suspects.
 */
import type { LeakSuspect } from './leak-judge.js';

export async function findLeakSuspects(snapshots: string[], iterations: number[]): Promise<LeakSuspect[]> {
  void snapshots; void iterations;
  return [];
}
