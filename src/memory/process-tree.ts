/**
 * The descendants of a process, read from /proc/<pid>/stat (the per-task "children" files are missing on this kernel).
 * `atelier mem run` sums the memory of a whole tree because commands like `sh -c`, npm or a cluster master do
 * their real work in children.
 */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * The fields of a /proc/<pid>/stat (or task stat) file after the command name: field n of proc(5) is at index n − 3.
 * The name (field 2) may contain spaces and parentheses, so the fields are read after its last ')'.
 */
export function procStatFields(path: string): string[] {
  const stat = readFileSync(path, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function parentOf(pid: number): number | undefined {
  try {
    return Number(procStatFields(`/proc/${pid}/stat`)[1]);
  } catch {
    return undefined;
  }
}

/** The pid itself followed by all its living descendants. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const ppid = parentOf(pid);
    if (ppid === undefined) continue;
    let list = children.get(ppid);
    if (!list) children.set(ppid, (list = []));
    list.push(pid);
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const c of children.get(out[i]) ?? []) out.push(c);
  return out;
}
