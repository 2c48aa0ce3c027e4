// Placeholder: replaced when `atelier serve` lands.
import type { Command } from 'commander';
export function registerServe(program: Command): void {
  program.command('serve').description('(not built yet)').action(() => { throw new Error('atelier serve is not built yet'); });
}
