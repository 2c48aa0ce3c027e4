/**
 * Runs the built command (`node dist/cli/main.js render …`, as a user would) on real photos and bad inputs.
 * `npm test` builds dist first.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { decode } from '../../src/imaging/index.js';
import { renderStyles } from '../../src/filters/render.js';
import { resolveParams } from '../../src/filters/registry.js';
import { resolveRenderSettings } from '../../src/cli/render-command.js';
import { AtelierError } from '../../src/errors.js';
import { PHOTOS, photo, storedPixels, pngBomb, truncate, SVG, HTML } from '../imaging/inputs.js';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
let dir: string;

before(() => {
  assert.ok(existsSync(MAIN), 'dist/cli/main.js is missing: run `npm run build` (npm test does it)');
  dir = mkdtempSync(join(tmpdir(), 'atelier-render-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function atelier(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lines = (s: string) => s.split('\n').filter(Boolean);

test('renders every input in the four seed styles as <name>.<style>.png', async () => {
  const out = join(dir, 'seed', 'nested');
  const r = await atelier('render', join(PHOTOS, 'coffee.png'), join(PHOTOS, 'horse.png'), '--out', out, '--max-side', '96');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'nothing on stderr when not a terminal and nothing failed');
  assert.match(r.stdout, /rendered 2 of 2 inputs: 8 artworks in /);
  const expected = ['coffee', 'horse'].flatMap((n) => ['sketch', 'color-sketch', 'oil', 'watercolor'].map((s) => `${n}.${s}.png`)).sort();
  assert.deepEqual(readdirSync(out).sort(), expected);
  const m = await sharp(join(out, 'coffee.oil.png')).metadata();
  assert.deepEqual([m.format, m.width, m.height], ['png', 96, 64]);
  assert.equal((await sharp(join(out, 'horse.sketch.png')).metadata()).hasAlpha, true, 'alpha kept');
});

test('--max-side 0 writes exactly the filters’ output, with --param applied', async () => {
  const out = join(dir, 'exact');
  const r = await atelier('render', join(PHOTOS, 'camera.png'), join(PHOTOS, 'horse.png'), '--out', out, '--max-side', '0', '--styles', 'sketch,oil', '--param', 'oil.size=3', '-p', 'sketch.shade=0.05');
  assert.equal(r.code, 0, r.stderr);
  for (const name of ['camera', 'horse'] as const) {
    const image = await decode(photo(name), { maxSide: 0 });
    const want = renderStyles(image, [
      { style: 'sketch', params: resolveParams('sketch', { shade: 0.05 }) },
      { style: 'oil', params: resolveParams('oil', { size: 3 }) },
    ]);
    for (const [style, img] of want) {
      const got = await storedPixels(join(out, `${name}.${style}.png`));
      assert.deepEqual([got.info.width, got.info.height, got.info.channels], [img.width, img.height, img.channels], `${name}.${style}`);
      assert.ok(got.data.equals(Buffer.from(img.data)), `${name}.${style}.png holds the filter output bit for bit`);
    }
  }
  // The parameter really reached the filter: the default oil differs.
  const image = await decode(photo('camera'), { maxSide: 0 });
  const dflt = renderStyles(image, [{ style: 'oil' }]).get('oil')!;
  assert.ok(!(await storedPixels(join(out, 'camera.oil.png'))).data.equals(Buffer.from(dflt.data)));
});

test('a single input renders on every core (renderStylesParallel), still exactly the filters’ output', async () => {
  const out = join(dir, 'single');
  const r = await atelier('render', join(PHOTOS, 'coffee.png'), '--out', out, '--max-side', '0', '--styles', 'color-sketch,watercolor', '--threads', '2');
  assert.equal(r.code, 0, r.stderr);
  const image = await decode(photo('coffee'), { maxSide: 0 });
  for (const [style, img] of renderStyles(image, [{ style: 'color-sketch' }, { style: 'watercolor' }])) {
    const got = await storedPixels(join(out, `coffee.${style}.png`));
    assert.ok(got.data.equals(Buffer.from(img.data)), `coffee.${style}.png holds the single-thread filter output bit for bit`);
  }
});

test('each bad input gets one line on stderr naming it; the good ones are still rendered; exit 1', async () => {
  const bad = join(dir, 'bad');
  mkdirSync(bad);
  const files: Record<string, Buffer | null> = {
    'empty.png': Buffer.alloc(0),
    'cut.png': truncate(photo('coffee')),
    'cut-jpeg.jpg': truncate(await sharp(photo('coffee')).jpeg().toBuffer()),
    'notes.txt': Buffer.from('just some text\n'),
    'page.html': HTML,
    'logo.svg': SVG,
    'bomb.png': pngBomb(),
    'missing.png': null,
  };
  for (const [name, data] of Object.entries(files)) if (data) writeFileSync(join(bad, name), data);
  const good = join(bad, 'coffee.png');
  copyFileSync(join(PHOTOS, 'coffee.png'), good);
  const out = join(dir, 'bad-out');
  const inputs = Object.keys(files).map((n) => join(bad, n));
  const r = await atelier('render', ...inputs.slice(0, 4), good, ...inputs.slice(4), '--out', out, '--styles', 'oil', '--max-side', '64');
  assert.equal(r.code, 1);
  const errs = lines(r.stderr);
  assert.equal(errs.length, inputs.length, r.stderr);
  const expect: Record<string, RegExp> = {
    'empty.png': /empty/,
    'cut.png': /truncated or corrupt/,
    'cut-jpeg.jpg': /truncated or corrupt/,
    'notes.txt': /not an image/,
    'page.html': /not an image/,
    'logo.svg': /SVG images are not accepted/,
    'bomb.png': /30000×30000 .* more than the limit of 50\.0 MP/,
    'missing.png': /no such file/,
  };
  for (const [name, re] of Object.entries(expect)) {
    const line = errs.filter((l) => l.startsWith(`atelier: ${join(bad, name)}: `));
    assert.equal(line.length, 1, `one line for ${name}`);
    assert.match(line[0], re);
  }
  assert.match(r.stdout, /rendered 1 of 9 inputs: 1 artwork in .*; 8 failed/);
  assert.deepEqual(readdirSync(out), ['coffee.oil.png'], 'only the good artwork, no temporary files');
});

test('formats: jpeg is written as .jpg, webp and avif with --quality', async () => {
  const out = join(dir, 'formats');
  for (const [format, ext, decoded] of [['jpeg', 'jpg', 'jpeg'], ['webp', 'webp', 'webp'], ['avif', 'avif', 'heif']]) {
    const r = await atelier('render', join(PHOTOS, 'astronaut.png'), '--out', out, '--styles', 'sketch', '--format', format, '--quality', '70', '--max-side', '64');
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await sharp(join(out, `astronaut.sketch.${ext}`)).metadata()).format, decoded);
  }
});

test('arguments are validated before any work, naming the argument and its range', async () => {
  const out = join(dir, 'never');
  const base = { out, maxSide: '1024', maxPixels: '50000000', format: 'png' };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ maxSide: 'big' }, /^--max-side must be an integer from 0 to 65535, got "big"$/],
    [{ maxSide: '70000' }, /^--max-side must be an integer from 0 to 65535/],
    [{ quality: '0', format: 'jpeg' }, /^--quality must be an integer from 1 to 100, got "0"$/],
    [{ quality: '80' }, /^--quality applies to jpeg, webp and avif; png is lossless$/],
    [{ format: 'bmp' }, /^--format must be one of png, jpeg, webp, avif, got "bmp"$/],
    [{ styles: 'oil,pastel' }, /^--styles: unknown style "pastel"/],
    [{ param: ['oil.size=99'] }, /^--param: oil\.size must be an integer from 1 to 20, got "99"$/],
    [{ param: ['oil.brush=3'] }, /unknown parameter "oil\.brush"/],
    [{ param: ['size=3'] }, /^--param must look like <style>\.<name>=<value>/],
    [{ styles: 'sketch', param: ['oil.size=3'] }, /oil is not among the styles rendered \(sketch\); add it to --styles/],
    [{ threads: '0' }, /^--threads must be an integer from 1 to 256/],
    [{ maxPixels: '-5' }, /^--max-pixels must be an integer/],
    [{ out: join(PHOTOS, 'coffee.png') }, /^--out: .* exists and is not a directory$/],
  ];
  for (const [given, re] of cases) {
    await assert.rejects(resolveRenderSettings([join(PHOTOS, 'coffee.png')], { ...base, ...given } as never), (e: unknown) => {
      assert.ok(e instanceof AtelierError && e.status === 400, String(e));
      assert.match(e.message, re);
      return true;
    });
  }
  const ok = await resolveRenderSettings(['x.png'], { ...base, styles: 'oil', param: ['oil.size=3'], format: 'jpg', quality: '70' });
  assert.deepEqual([ok.requests, ok.format, ok.quality], [[{ style: 'oil', params: { size: 3, dynRatio: 1 } }], 'jpeg', 70]);

  // As the user sees it: one line on stderr, exit 1, nothing written.
  for (const args of [['--max-side', 'big'], ['--param', 'oil.size=99']]) {
    const r = await atelier('render', join(PHOTOS, 'coffee.png'), '--out', out, ...args);
    assert.equal(r.code, 1);
    assert.deepEqual(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^atelier: ${args[0]}`));
  }
  assert.equal(existsSync(out), false, 'nothing created');
  const noOut = await atelier('render', join(PHOTOS, 'coffee.png'));
  assert.notEqual(noOut.code, 0);
  assert.match(noOut.stderr, /--out/);
});

test('inputs that would overwrite each other’s artworks are refused, the first is rendered', async () => {
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  mkdirSync(a);
  mkdirSync(b);
  copyFileSync(join(PHOTOS, 'horse.png'), join(a, 'pic.png'));
  copyFileSync(join(PHOTOS, 'camera.png'), join(b, 'pic.png'));
  const out = join(dir, 'clash');
  const r = await atelier('render', join(a, 'pic.png'), join(b, 'pic.png'), join(a, 'pic.png'), '--out', out, '--styles', 'sketch', '--max-side', '32');
  assert.equal(r.code, 1);
  assert.deepEqual(lines(r.stderr), [`atelier: ${join(b, 'pic.png')}: not rendered: its artworks would overwrite those of ${join(a, 'pic.png')} (same file name)`]);
  assert.equal((await sharp(join(out, 'pic.sketch.png')).metadata()).hasAlpha, true, 'the first (the horse, RGBA) won');
});

test('on a terminal a progress bar shows on stderr, with failure lines kept above it', { skip: !existsSync('/usr/bin/script') && 'needs script(1) for a pseudo-terminal' }, async () => {
  const bad = join(dir, 'tty-bad.png');
  writeFileSync(bad, truncate(photo('horse')));
  const out = join(dir, 'tty');
  const cmd = [process.execPath, MAIN, 'render', join(PHOTOS, 'horse.png'), bad, '--out', out, '--styles', 'oil', '--max-side', '48'].map((a) => `'${a}'`).join(' ');
  const r = await new Promise<{ code: number | null; text: string }>((resolve, reject) => {
    const child = spawn('/usr/bin/script', ['-qec', cmd, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, text }));
  });
  assert.equal(r.code, 1);
  assert.match(r.text, /rendering .* \d\/2 inputs/);
  assert.match(r.text, new RegExp(`atelier: ${bad}: truncated or corrupt image`));
  assert.match(r.text, /rendered 1 of 2 inputs/);
});

test('Ctrl-C stops the run with 130, leaving only complete artworks and no temporary files', async () => {
  const src = join(dir, 'many');
  mkdirSync(src);
  const inputs: string[] = [];
  for (let i = 0; i < 12; i++) {
    const f = join(src, `photo${i}.png`);
    copyFileSync(join(PHOTOS, i % 2 ? 'coffee.png' : 'astronaut.png'), f);
    inputs.push(f);
  }
  const out = join(dir, 'interrupted');
  const child = spawn(process.execPath, [MAIN, 'render', ...inputs, '--out', out, '--max-side', '0', '--styles', 'sketch,oil,watercolor,detail'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!(existsSync(out) && readdirSync(out).some((f) => f.endsWith('.png') && !f.startsWith('.'))) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGINT');
  assert.equal(await closed, 130, stderr);
  assert.match(stderr, /interrupted \(SIGINT\)/);
  const files = readdirSync(out);
  assert.deepEqual(files.filter((f) => f.startsWith('.') || f.endsWith('.tmp')), [], 'no temporary files');
  assert.ok(files.length > 0 && files.length < inputs.length * 4, `stopped part way (${files.length} files)`);
  for (const f of files) await sharp(join(out, f)).raw().toBuffer(); // each one whole
});
