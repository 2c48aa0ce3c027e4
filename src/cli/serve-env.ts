/**
 * Used by bin/atelier before `atelier serve` starts: prints, as shell `export` lines, the environment that gives
 * the server the malloc its config asks for and its V8 settings (src/guard/launch-env.ts; nothing when it was
 * started with them already). The shell then execs node with it,
 * so no launcher process stays behind. Exit status 1, and no output, when the settings are invalid: the server
 * itself then reports which one.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.js';
import { launchEnv } from '../guard/launch-env.js';

/** A POSIX shell word that stands for exactly `value`. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The export lines that turn `from` into `to` (only variables that differ, and only well-formed names). */
export function exportLines(from: NodeJS.ProcessEnv, to: NodeJS.ProcessEnv): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(to)) {
    if (value === undefined || from[key] === value || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    lines.push(`export ${key}=${shellQuote(value)}`);
  }
  return lines.join('\n');
}

export function serveEnvMain(argv: string[]): number {
  const { values } = parseArgs({ args: argv.slice(argv[0] === 'serve' ? 1 : 0), options: { allocator: { type: 'string' } }, strict: false, allowPositionals: true });
  try {
    const allocator = typeof values.allocator === 'string' ? values.allocator : undefined;
    const config = loadConfig({ env: process.env, flags: { allocator } });
    const next = launchEnv(config.allocator);
    if (next) process.stdout.write(`${exportLines(process.env, next.env)}\n`);
    return 0;
  } catch {
    return 1;
  }
}

const invoked = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (invoked === fileURLToPath(import.meta.url)) process.exitCode = serveEnvMain(process.argv.slice(2));
