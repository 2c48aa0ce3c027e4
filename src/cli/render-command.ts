// Placeholder: replaced when `atelier render` lands.
import type { Command } from 'commander';
export function registerRender(program: Command): void {
  program.command('render').description('(not built yet)').action(() => { throw new Error('atelier render is not built yet'); });
}
