// Builds the Node code with tsc and the browser pages with esbuild into dist/.
// Runs from `npm install` (prepare) and before the tests, so a fresh clone needs no extra step.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readlinkSync, copyFileSync, rmSync, symlinkSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

rmSync(join(root, 'dist'), { recursive: true, force: true });
run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json']);

const webSrc = join(root, 'src/web');
const entries = existsSync(webSrc) ? readdirSync(webSrc).filter((f) => f.endsWith('.page.ts')) : [];
if (entries.length > 0) {
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.web.json']);
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: entries.map((f) => join(webSrc, f)),
    outdir: join(root, 'dist/web'),
    bundle: true,
    format: 'esm',
    target: 'es2020',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
}
// Static assets (HTML, CSS) are copied as they are.
if (existsSync(webSrc)) {
  mkdirSync(join(root, 'dist/web'), { recursive: true });
  for (const f of readdirSync(webSrc)) {
    if (/\.(html|css|svg|ico)$/.test(f)) copyFileSync(join(webSrc, f), join(root, 'dist/web', f));
  }
}

// npm links the bins of dependencies into node_modules/.bin, never the project's own: link ours there too, so
// `npx atelier …` works in this checkout right after `npm install` (as the README says).
const binDir = join(root, 'node_modules/.bin');
if (existsSync(join(root, 'node_modules'))) {
  mkdirSync(binDir, { recursive: true });
  const link = join(binDir, 'atelier');
  const target = '../../bin/atelier';
  let current = null;
  try {
    current = readlinkSync(link);
  } catch {
    // absent, or not a link
  }
  if (current !== target) {
    rmSync(link, { force: true });
    symlinkSync(target, link);
  }
}
