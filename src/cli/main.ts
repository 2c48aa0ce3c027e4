#!/usr/bin/env node
/**
 * The `atelier` command. Each subcommand lives in its own module and registers itself here.
 * Errors reach the user as one line on stderr and a non-zero exit code.
 */
import { Command, CommanderError } from 'commander';
import { registerRender } from './render-command.js';
import { registerServe } from './serve-command.js';
import { registerMem } from './mem-command.js';
import { printErrorAndExit } from './fail.js';

const program = new Command('atelier')
  .description('Photos into artworks, and a memory toolkit for Node programs')
  .version('0.1.0')
  .showHelpAfterError(false)
  .exitOverride();

registerRender(program);
registerServe(program);
registerMem(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Help and version exit 0; commander already printed its one-line usage error otherwise.
    process.exit(e.exitCode);
  }
  printErrorAndExit(e);
}
