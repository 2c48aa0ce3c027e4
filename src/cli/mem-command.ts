// Placeholder for `atelier mem` (owned by the memtools work); the heap branch wires only its own subcommands
// here so they can be tried before the real mem-command.ts lands.
import type { Command } from 'commander';
import { registerHeapCommands } from './mem-heap-commands.js';

export function registerMem(program: Command): void {
  const mem = program.command('mem').description('memory toolkit for Node programs');
  registerHeapCommands(mem);
}
