/**
 * `atelier render <inputs…> --out <dir> [--styles …] [--max-side 1024] [--format png|jpeg|webp|avif] [--quality N]`
 * Every argument is validated before any work starts; then each input is rendered in the pool and written
 * as `<dir>/<name>.<style>.<ext>`. A bad input costs one line on stderr and a non-zero exit, never the others.
 */
import { mkdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { AtelierError, isAtelierError } from '../errors.js';
import { parseStyleList, resolveParams, SEED_STYLES, STYLE_IDS, type StyleId, type StyleParams } from '../filters/registry.js';
import { parseOutputFormat, OUTPUT_FORMATS, type OutputFormat } from '../imaging/formats.js';
import { DEFAULT_MAX_PIXELS, DEFAULT_MAX_SIDE, MAX_PIXELS_LIMIT, MAX_SIDE_LIMIT, validateInteger } from '../imaging/limits.js';
import { stopWrites } from './atomic-write.js';
import { createProgress } from './progress.js';
import type { BatchSettings } from './render-batch.js';

interface RawOptions {
  out: string;
  styles?: string;
  maxSide: string;
  maxPixels: string;
  format: string;
  quality?: string;
  param?: string[];
  threads?: string;
}

/** Prefixes a validation error with the argument it came from. */
function named<T>(arg: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isAtelierError(e)) throw new AtelierError(e.code, `${arg}: ${e.message}`);
    throw e;
  }
}

/** `--param oil.size=5`, repeatable, into validated parameters per style. */
export function parseParams(given: readonly string[], styles: readonly StyleId[]): Map<StyleId, StyleParams> {
  const raw = new Map<StyleId, Record<string, string>>(styles.map((s) => [s, {}]));
  for (const p of given) {
    const m = /^([a-z-]+)\.([A-Za-z]+)=(.*)$/.exec(p.trim());
    if (!m) throw new AtelierError('INVALID_ARGUMENT', `--param must look like <style>.<name>=<value> (e.g. oil.size=5), got ${JSON.stringify(p)}`);
    const [, style, name, value] = m;
    if (!(STYLE_IDS as readonly string[]).includes(style)) {
      throw new AtelierError('INVALID_ARGUMENT', `--param ${style}.${name}: unknown style "${style}"; expected one of: ${STYLE_IDS.join(', ')}`);
    }
    const forStyle = raw.get(style as StyleId);
    if (!forStyle) throw new AtelierError('INVALID_ARGUMENT', `--param ${style}.${name}: ${style} is not among the styles rendered (${styles.join(', ')}); add it to --styles`);
    forStyle[name] = value;
  }
  return new Map(styles.map((s) => [s, named('--param', () => resolveParams(s, raw.get(s)))]));
}

export async function resolveRenderSettings(inputs: readonly string[], o: RawOptions): Promise<BatchSettings> {
  const styles = named('--styles', () => parseStyleList(o.styles));
  const params = parseParams(o.param ?? [], styles);
  const format: OutputFormat = parseOutputFormat(o.format, '--format');
  const quality = o.quality === undefined ? undefined : validateInteger(o.quality, '--quality', 1, 100);
  if (quality !== undefined && format === 'png') {
    throw new AtelierError('INVALID_ARGUMENT', '--quality applies to jpeg, webp and avif; png is lossless');
  }
  const maxSide = validateInteger(o.maxSide, '--max-side', 0, MAX_SIDE_LIMIT);
  const maxPixels = validateInteger(o.maxPixels, '--max-pixels', 1, MAX_PIXELS_LIMIT);
  const threads = validateInteger(o.threads ?? availableParallelism(), '--threads', 1, 256);
  if (!o.out || !o.out.trim()) throw new AtelierError('INVALID_ARGUMENT', '--out must name a directory');
  const existing = await stat(o.out).catch(() => null);
  if (existing && !existing.isDirectory()) throw new AtelierError('INVALID_ARGUMENT', `--out: ${o.out} exists and is not a directory`);
  return { inputs, outDir: o.out, requests: styles.map((style) => ({ style, params: params.get(style)! })), format, quality, maxSide, maxPixels, threads };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function registerRender(program: Command): void {
  program
    .command('render')
    .description('render photos into artworks, written as <dir>/<name>.<style>.<ext>')
    .argument('<inputs...>', 'image files: JPEG, PNG, WebP, GIF (first frame), TIFF or AVIF')
    .requiredOption('-o, --out <dir>', 'output directory, created if missing')
    .option('-s, --styles <list>', `comma-separated styles from: ${STYLE_IDS.join(', ')} (default: ${SEED_STYLES.join(',')})`)
    .option('--max-side <px>', `longest side of the artworks, 0 keeps the original size (0–${MAX_SIDE_LIMIT})`, String(DEFAULT_MAX_SIDE))
    .option('-f, --format <format>', `artwork format: ${OUTPUT_FORMATS.join(', ')} (jpeg files end in .jpg)`, 'png')
    .option('-q, --quality <n>', 'quality for jpeg, webp and avif (1–100; default: the encoder’s)')
    .option('-p, --param <style.name=value>', 'a style parameter, e.g. oil.size=5; repeatable', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--max-pixels <n>', `refuse inputs with more pixels than this (1–${MAX_PIXELS_LIMIT})`, String(DEFAULT_MAX_PIXELS))
    .option('-j, --threads <n>', 'worker threads (default: one per core)')
    .action(async (inputs: string[], o: RawOptions) => {
      const settings = await resolveRenderSettings(inputs, o);
      await mkdir(settings.outDir, { recursive: true }).catch((e: Error) => {
        throw new AtelierError('INVALID_ARGUMENT', `--out: cannot create ${settings.outDir} (${e.message.split('\n')[0]})`);
      });
      const progress = createProgress();
      const controller = new AbortController();
      const onSignal = async (sig: NodeJS.Signals) => {
        controller.abort();
        progress.stop();
        await stopWrites();
        process.stderr.write(`atelier: interrupted (${sig}); complete artworks were kept, partial ones removed\n`);
        process.exit(sig === 'SIGINT' ? 130 : 143);
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const started = performance.now();
      // The pool and sharp load only when there is work, so `atelier --help` and other commands stay light.
      const { renderBatch } = await import('./render-batch.js');
      let outcome;
      try {
        outcome = await renderBatch(settings, progress, controller.signal);
      } finally {
        progress.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      // Interrupted: the signal handler reports and exits once the writes in progress have settled.
      if (controller.signal.aborted) await new Promise(() => {});
      const total = outcome.rendered + outcome.failed;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stdout.write(
        `rendered ${outcome.rendered} of ${plural(total, 'input')}: ${plural(outcome.written.length, 'artwork')} in ${settings.outDir} (${seconds} s)` +
          (outcome.failed > 0 ? `; ${outcome.failed} failed` : '') +
          '\n',
      );
      if (outcome.failed > 0) process.exitCode = 1;
    });
}
