/**
 * The studio page. It reads the style registry from /api/styles, builds one card per chosen style with
 * controls for its parameters, and renders each style as its own request so every artwork appears as soon as
 * it is ready and a changed control re-renders only its style. No framework: plain DOM.
 */

// The registry's own types: the page reads exactly what /api/styles serialises.
import type { ParamSpec, StyleSpec } from '../filters/registry.js';

interface StylesResponse {
  styles: StyleSpec[];
  defaults: { styles: string[]; maxSide: number; format: string };
  limits: { maxSide: number; maxUploadBytes: number; maxPixels: number };
}

interface RenderResponse {
  id: string;
  width: number;
  height: number;
  styles: string[];
  cached: boolean;
  artworks: Record<string, string>;
}

interface ApiError {
  error: { code: string; message: string };
}

/** A failed request, with what the page needs to explain it. */
class RequestFailed extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter: number,
  ) {
    super(message);
  }
}

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

const BAD_FILE_CODES = new Set(['UNSUPPORTED_MEDIA_TYPE', 'CORRUPT_IMAGE', 'TOO_MANY_PIXELS', 'PAYLOAD_TOO_LARGE', 'EMPTY_INPUT']);
const MAX_RETRIES = 3;

interface Card {
  style: StyleSpec;
  root: HTMLElement;
  frame: HTMLElement;
  img: HTMLImageElement;
  status: HTMLElement;
  download: HTMLAnchorElement;
  values: Record<string, number>;
  controller?: AbortController;
}

class Studio {
  private registry!: StylesResponse;
  private file: File | null = null;
  private originalUrl: string | null = null;
  private readonly chosen = new Set<string>();
  private readonly cards = new Map<string, Card>();
  /** Parameter values survive a new photo or a style toggled off and on. */
  private readonly values = new Map<string, Record<string, number>>();
  private readonly gallery = $<HTMLElement>('gallery');
  private readonly message = $<HTMLElement>('message');
  private readonly maxSide = $<HTMLSelectElement>('max-side');
  private readonly format = $<HTMLSelectElement>('format');

  async start(): Promise<void> {
    try {
      const res = await fetch('/api/styles');
      if (!res.ok) throw await failure(res);
      this.registry = (await res.json()) as StylesResponse;
    } catch (e) {
      this.showMessage(`The studio could not load its styles: ${describe(e)}. Reload the page to try again.`, 'error');
      return;
    }
    for (const id of this.registry.defaults.styles) this.chosen.add(id);
    for (const s of this.registry.styles) this.values.set(s.id, Object.fromEntries(s.params.map((p) => [p.name, p.default])));
    const limit = this.registry.limits;
    $('limits').textContent = `JPEG, PNG, WebP, GIF, TIFF or AVIF, up to ${Math.round(limit.maxUploadBytes / 1048576)} MB and ${Math.round(limit.maxPixels / 1e6)} megapixels.`;
    for (const option of [...this.maxSide.options]) if (Number(option.value) > limit.maxSide) option.remove();
    this.maxSide.value = String(this.registry.defaults.maxSide);
    this.format.value = this.registry.defaults.format;
    this.buildStylePicks();
    this.wireInputs();
    this.buildGallery();
  }

  private buildStylePicks(): void {
    const box = $('style-picks');
    for (const s of this.registry.styles) {
      const input = el('input', { type: 'checkbox', value: s.id, 'data-style-pick': s.id });
      input.checked = this.chosen.has(s.id);
      input.addEventListener('change', () => {
        if (input.checked) this.chosen.add(s.id);
        else this.chosen.delete(s.id);
        this.buildGallery();
        if (input.checked) this.renderStyle(s.id);
      });
      box.append(el('label', { class: 'chip', title: s.description }, input, s.label));
    }
  }

  private wireInputs(): void {
    const drop = $('drop');
    for (const id of ['file', 'camera']) {
      const input = $<HTMLInputElement>(id);
      input.addEventListener('change', () => {
        if (input.files?.[0]) this.setFile(input.files[0]);
        input.value = '';
      });
    }
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      const f = e.dataTransfer?.files?.[0];
      if (f) this.setFile(f);
    });
    // A photo dropped anywhere on the page counts; the browser must not navigate away to it.
    window.addEventListener('dragover', (e) => e.preventDefault());
    window.addEventListener('drop', (e) => {
      e.preventDefault();
      const f = e.dataTransfer?.files?.[0];
      if (f) this.setFile(f);
    });
    this.maxSide.addEventListener('change', () => this.renderAll());
    this.format.addEventListener('change', () => this.renderAll());
  }

  private setFile(file: File): void {
    this.hideMessage();
    if (file.type && !file.type.startsWith('image/')) {
      this.showMessage(`“${file.name}” is not a photo (${file.type}). Choose a JPEG, PNG, WebP or other image file.`, 'error');
      return;
    }
    if (file.size > this.registry.limits.maxUploadBytes) {
      this.showMessage(`“${file.name}” is ${(file.size / 1048576).toFixed(1)} MB; the studio takes photos up to ${Math.round(this.registry.limits.maxUploadBytes / 1048576)} MB.`, 'error');
      return;
    }
    this.file = file;
    if (this.originalUrl) URL.revokeObjectURL(this.originalUrl);
    this.originalUrl = URL.createObjectURL(file);
    document.body.classList.add('has-photo');
    $('drop-title').textContent = 'Drop another photo here, or';
    this.buildGallery();
    this.renderAll();
  }

  private buildGallery(): void {
    for (const card of this.cards.values()) card.controller?.abort();
    const keep = new Map(this.cards);
    this.cards.clear();
    this.gallery.replaceChildren();
    if (this.file && this.originalUrl) {
      const img = el('img', { alt: `Original: ${this.file.name}`, src: this.originalUrl });
      const frame = el('div', { class: 'frame' }, img);
      img.addEventListener('error', () => frame.replaceChildren(el('p', { class: 'note' }, 'This browser cannot preview the file; the studio can still render it.')));
      this.gallery.append(el('article', { class: 'card original', 'data-style': 'original' }, el('header', {}, el('h2', {}, 'Original'), el('span', { class: 'status' }, this.file.name)), frame));
    }
    for (const s of this.registry.styles) {
      if (!this.chosen.has(s.id)) continue;
      const old = keep.get(s.id);
      const card = this.buildCard(s);
      // Toggling other styles must not throw away an artwork already on screen.
      if (old && old.root.dataset.state === 'ready' && this.file) {
        card.img.src = old.img.src;
        card.download.href = old.download.href;
        card.download.setAttribute('download', old.download.getAttribute('download') ?? '');
        card.root.dataset.state = 'ready';
        card.status.textContent = old.status.textContent;
      }
      this.cards.set(s.id, card);
      this.gallery.append(card.root);
    }
  }

  private buildCard(style: StyleSpec): Card {
    const values = this.values.get(style.id) ?? {};
    const img = el('img', { class: 'artwork', alt: style.label });
    const status = el('span', { class: 'status' }, this.file ? '' : 'waiting for a photo');
    const download = el('a', { class: 'button small download', role: 'button' }, 'Download');
    const frame = el('div', { class: 'frame' }, img, el('div', { class: 'spinner', 'aria-hidden': 'true' }));
    const controls = el('div', { class: 'controls' });
    const root = el('article', { class: 'card', 'data-style': style.id, 'data-state': 'idle' }, el('header', {}, el('h2', {}, style.label), status), frame);
    const card: Card = { style, root, frame, img, status, download, values };
    for (const p of style.params) controls.append(this.buildControl(card, p));
    const details = el('details', { class: 'adjust' }, el('summary', {}, 'Adjust'), controls);
    root.append(el('footer', {}, details, download));
    return card;
  }

  private buildControl(card: Card, p: ParamSpec): HTMLElement {
    const id = `${card.style.id}-${p.name}`;
    const range = el('input', { type: 'range', id, min: String(p.min), max: String(p.max), step: String(p.step), 'data-param': `${card.style.id}.${p.name}` });
    range.value = String(card.values[p.name] ?? p.default);
    const out = el('output', { for: id }, format(card.values[p.name] ?? p.default, p));
    range.addEventListener('input', () => (out.textContent = format(Number(range.value), p)));
    range.addEventListener('change', () => {
      card.values[p.name] = Number(range.value);
      this.renderStyle(card.style.id);
    });
    const reset = el('button', { type: 'button', class: 'reset', title: `Reset to ${p.default}` }, '↺');
    reset.addEventListener('click', () => {
      range.value = String(p.default);
      out.textContent = format(p.default, p);
      card.values[p.name] = p.default;
      this.renderStyle(card.style.id);
    });
    return el('div', { class: 'control' }, el('label', { for: id }, p.label), range, out, reset);
  }

  private renderAll(): void {
    for (const id of this.cards.keys()) this.renderStyle(id);
  }

  private renderStyle(id: string, attempt = 0): void {
    const card = this.cards.get(id);
    const file = this.file;
    if (!card || !file) return;
    card.controller?.abort();
    const controller = new AbortController();
    card.controller = controller;
    card.root.dataset.state = 'loading';
    card.status.textContent = attempt > 0 ? 'retrying…' : 'painting…';
    const query = new URLSearchParams({ styles: id, maxSide: this.maxSide.value, format: this.format.value });
    for (const [name, value] of Object.entries(card.values)) query.set(`${id}.${name}`, String(value));
    const body = new FormData();
    body.append('image', file, file.name);
    const started = performance.now();
    void (async () => {
      try {
        const res = await fetch(`/api/renders?${query}`, { method: 'POST', body, signal: controller.signal });
        if (!res.ok) throw await failure(res);
        const render = (await res.json()) as RenderResponse;
        const url = render.artworks[id];
        await loadImage(card.img, url);
        if (controller.signal.aborted) return;
        const ext = url.slice(url.lastIndexOf('.') + 1);
        card.download.href = url;
        card.download.setAttribute('download', `${baseName(file.name)}.${id}.${ext}`);
        card.root.dataset.state = 'ready';
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        card.status.textContent = `${render.width}×${render.height} · ${render.cached ? 'from cache' : `${seconds} s`}`;
        // A "busy, retrying" note has served its purpose once everything is on screen.
        if (this.message.classList.contains('warn') && [...this.cards.values()].every((c) => c.root.dataset.state === 'ready')) this.hideMessage();
      } catch (e) {
        if (controller.signal.aborted) return;
        this.renderFailed(card, e, attempt);
      }
    })();
  }

  private renderFailed(card: Card, e: unknown, attempt: number): void {
    card.root.dataset.state = 'error';
    if (e instanceof RequestFailed && BAD_FILE_CODES.has(e.code)) {
      // The file itself is the problem: say so once, above everything, and stop the other styles.
      for (const c of this.cards.values()) {
        c.controller?.abort();
        c.root.dataset.state = 'error';
        c.status.textContent = 'not rendered';
      }
      this.showMessage(`This file cannot be used: ${e.message}`, 'error');
      return;
    }
    if (e instanceof RequestFailed && e.status === 503 && attempt < MAX_RETRIES) {
      const wait = Math.max(1, e.retryAfter);
      card.status.textContent = `busy, retrying in ${wait} s`;
      this.showMessage(`The studio is busy right now (${e.message}). Your artworks will be retried automatically.`, 'warn');
      window.setTimeout(() => {
        if (card.controller?.signal.aborted === false && this.cards.get(card.style.id) === card) this.renderStyle(card.style.id, attempt + 1);
      }, wait * 1000);
      return;
    }
    card.status.textContent = 'failed';
    const retry = el('button', { type: 'button', class: 'button small' }, 'Try again');
    retry.addEventListener('click', () => this.renderStyle(card.style.id));
    const note = el('div', { class: 'failure' }, el('p', {}, describe(e)), retry);
    card.frame.querySelector('.failure')?.remove();
    card.frame.append(note);
    if (e instanceof RequestFailed && e.status === 503) this.showMessage('The studio is overloaded. Try again in a moment.', 'error');
  }

  private showMessage(text: string, kind: 'error' | 'warn'): void {
    this.message.textContent = text;
    this.message.className = `message ${kind}`;
    this.message.hidden = false;
  }

  private hideMessage(): void {
    this.message.hidden = true;
  }
}

async function failure(res: Response): Promise<RequestFailed> {
  const retryAfter = Number(res.headers.get('retry-after') ?? '2') || 2;
  try {
    const body = (await res.json()) as ApiError;
    return new RequestFailed(res.status, body.error.code, body.error.message, retryAfter);
  } catch {
    return new RequestFailed(res.status, 'HTTP', `the server answered ${res.status} ${res.statusText}`, retryAfter);
  }
}

function describe(e: unknown): string {
  if (e instanceof RequestFailed) return e.message;
  if (e instanceof TypeError) return 'the studio cannot be reached (is the server running?)';
  return e instanceof Error ? e.message : String(e);
}

function loadImage(img: HTMLImageElement, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    img.onload = () => resolve();
    img.onerror = () => reject(new Error('the artwork could not be loaded; it may have been evicted, try again'));
    img.src = url;
  });
}

function format(v: number, p: ParamSpec): string {
  const decimals = p.step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(p.step)));
  return v.toFixed(decimals);
}

function baseName(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot > 0 ? name.slice(0, dot) : name) || 'photo';
}

void new Studio().start();
