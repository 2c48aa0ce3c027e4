// Placeholder: replaced when `atelier mem` lands.
import type { Command } from 'commander';
export function registerMem(program: Command): void {
  program.command('mem').description('(not built yet)').action(() => { throw new Error('atelier mem is not built yet'); });
}
