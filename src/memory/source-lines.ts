/**
 * Narrowing a function-level allocation site to a line. V8's allocation stacks name functions (the line where
 * each is defined), not positions inside them; but the stack also says which function the user's frame called
 * next (`setInterval`, `subarray`, a constructor). The line inside the user's function that calls it by name is
 * the line to show. When the source is unreadable or the call is not found, the function's line stands.
 */
import { readFileSync } from 'node:fs';

const sources = new Map<string, string[] | null>();

function sourceLines(file: string): string[] | null {
  if (!sources.has(file)) {
    try { sources.set(file, readFileSync(file, 'utf8').split('\n')); } catch { sources.set(file, null); }
  }
  return sources.get(file) ?? null;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The 1-based line, inside the function defined at `line`/`column` of `file`, of the first call to `callee`
 * (`callee(`, `.callee(`, `new callee`). Scans to the end of the function by brace depth (strings and comments
 * are not parsed: good enough to bound the search). Null when not found.
 */
export function findCallLine(file: string, line: number, column: number, callee: string): number | null {
  if (!/^[\w$]+$/.test(callee)) return null;
  return findInFunction(file, line, column, new RegExp(`(?:\\bnew\\s+${escapeRegExp(callee)}\\b|(?:^|[^\\w$])${escapeRegExp(callee)}\\s*\\()`));
}

/**
 * The line, inside the same function, that stores into the container `name` (`name.push(`, `name.set(`,
 * `name[k] =`, `name.add(`…): "or that stores them" when the allocation itself has no name to look for.
 */
export function findStoreLine(file: string, line: number, column: number, name: string): number | null {
  if (!/^[\w$]+$/.test(name)) return null;
  const n = escapeRegExp(name);
  return findInFunction(file, line, column, new RegExp(`(?:^|[^\\w$.])${n}\\s*(?:\\.\\s*(?:push|unshift|set|add|splice|concat)\\s*\\(|\\[[^\\]]*\\]\\s*=[^=])`));
}

function findInFunction(file: string, line: number, column: number, call: RegExp): number | null {
  const lines = sourceLines(file);
  if (!lines || line < 1 || line > lines.length) return null;
  let depth = 0;
  let opened = false;
  for (let l = line; l <= lines.length && l < line + 500; l++) {
    const text = l === line ? lines[l - 1].slice(Math.max(0, column - 1)) : lines[l - 1];
    // The definition line itself may hold the call (an arrow function body on one line).
    if (call.test(l === line ? text.replace(/^[^{]*\{/, '') : text) && (opened || l === line)) return l;
    for (const ch of text) {
      if (ch === '{') { depth++; opened = true; } else if (ch === '}') depth--;
    }
    if (opened && depth <= 0) break;
  }
  return null;
}
