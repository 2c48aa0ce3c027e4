/**
 * The memory guard of a running studio: every interval it samples memory (memory-sample.ts) and load
 * (load-meter.ts), keeps a rolling history for the dashboard, and feeds RSS to the watchdog. When a soft
 * condition starts (RSS above the soft limit, or RSS climbing faster than the slope limit) it logs a warning,
 * raises an alert and, the first time and then at most once per capture interval, captures diagnostics.
 * Above the hard limit it holds the studio not ready, so /readyz answers 503 and new renders are shed with 503,
 * until RSS falls back below the hysteresis mark.
 * Sampling, the clock and the timer are injectable so tests drive it step by step.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Studio } from '../server/studio.js';
import type { CaptureInfo, CaptureTrigger, DiagnosticsStore } from './diagnostics.js';
import type { LoadReading, MemorySample, MemorySampler } from './memory-sample.js';
import { PointRing } from './point-ring.js';
import { Watchdog, type WatchEvent, type WatchKind } from './watchdog.js';

export interface Alert {
  id: number;
  kind: WatchKind | 'diagnostics';
  level: 'warning' | 'critical';
  message: string;
  since: number;
  /** When the condition ended; null while it lasts (diagnostics alerts end at once). */
  until: number | null;
}

export interface GuardPoint extends MemorySample, LoadReading {}

export interface MemoryGuardDeps {
  studio: Studio;
  log: FastifyBaseLogger;
  sample: MemorySampler;
  load: () => Promise<LoadReading>;
  diagnostics: DiagnosticsStore;
  now?: () => number;
  /** Samples kept for the dashboard (default 600: ten minutes at one a second). */
  historySize?: number;
}

const MiB = 1024 * 1024;
const mb = (b: number): string => `${(b / MiB).toFixed(0)} MB`;
const MAX_ALERTS = 100;

export class MemoryGuard {
  readonly watchdog: Watchdog;
  private readonly history: PointRing<GuardPoint>;
  private readonly alerts: Alert[] = [];
  private readonly open = new Map<string, Alert>();
  private alertSeq = 0;
  private hold: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  readonly counts = { alerts: new Map<string, number>(), captures: new Map<string, number>() };
  private readonly now: () => number;

  constructor(private readonly deps: MemoryGuardDeps) {
    const c = deps.studio.config;
    this.now = deps.now ?? Date.now;
    this.history = new PointRing(deps.historySize ?? 600);
    this.watchdog = new Watchdog({
      softLimit: c.memorySoftLimit,
      hardLimit: c.memoryHardLimit,
      hysteresisPercent: c.memoryHysteresisPercent,
      slopeLimit: c.memorySlopeLimit,
      slopeWindowMs: c.memorySlopeWindowMs,
    });
  }

  start(): void {
    if (this.timer) return;
    const interval = this.deps.studio.config.watchdogIntervalMs;
    this.timer = setInterval(() => void this.tick(), interval);
    this.timer.unref();
    void this.tick();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.releaseHold();
  }

  /** One watchdog step: sample, record, judge, act. Never throws. */
  async tick(): Promise<GuardPoint | undefined> {
    if (this.ticking) return undefined;
    this.ticking = true;
    try {
      const point: GuardPoint = { ...(await this.deps.sample()), ...(await this.deps.load()) };
      point.t = this.now();
      this.history.push(point);
      for (const e of this.watchdog.observe(point.t, point.rss, point.cache)) this.react(e);
      return point;
    } catch (e) {
      this.deps.log.warn({ err: (e as Error).message }, 'memory guard: sampling failed');
      return undefined;
    } finally {
      this.ticking = false;
    }
  }

  latest(): GuardPoint | undefined {
    return this.history.at(0);
  }

  /** History newer than `since` (ms), oldest first. */
  points(since = -Infinity): GuardPoint[] {
    return this.history.since('t', since);
  }

  alertList(): Alert[] {
    return [...this.alerts].reverse();
  }

  activeAlerts(): Alert[] {
    return [...this.open.values()];
  }

  get holding(): boolean {
    return this.hold !== undefined;
  }

  /** Starts a capture now (the dashboard's button); RATE_LIMITED while one runs. */
  capture(trigger: CaptureTrigger, reason: string): { capture: CaptureInfo; done: Promise<CaptureInfo> } {
    const started = this.deps.diagnostics.start(trigger, reason, this.latest()?.rss ?? 0);
    this.count(this.counts.captures, trigger);
    void started.done.then((c) => {
      if (c.status === 'failed') this.raise('diagnostics', 'warning', `diagnostics capture ${c.id} failed: ${c.error}`, true);
    });
    return started;
  }

  private count(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  private raise(kind: Alert['kind'], level: Alert['level'], message: string, instant = false): Alert {
    const t = this.now();
    const alert: Alert = { id: ++this.alertSeq, kind, level, message, since: t, until: instant ? t : null };
    this.alerts.push(alert);
    if (this.alerts.length > MAX_ALERTS) this.alerts.shift();
    if (!instant) this.open.set(kind, alert);
    this.count(this.counts.alerts, kind);
    return alert;
  }

  private react(e: WatchEvent): void {
    const { log, studio } = this.deps;
    const c = studio.config;
    if (!e.active) {
      const a = this.open.get(e.kind);
      if (a) a.until = e.t;
      this.open.delete(e.kind);
      if (e.kind === 'hard') this.releaseHold();
      log.info({ kind: e.kind, rss: e.rss }, `memory: ${e.kind} condition over`);
      return;
    }
    const slope = e.slope === null ? '' : `${mb(e.slope)}/min`;
    if (e.kind === 'hard') {
      const message = `RSS ${mb(e.rss)} is above the hard limit of ${mb(c.memoryHardLimit)}: not ready, new renders are shed until it falls below ${mb(c.memoryHardLimit * (1 - c.memoryHysteresisPercent / 100))}`;
      this.raise('hard', 'critical', message);
      log.error({ rss: e.rss, hardLimit: c.memoryHardLimit }, `memory: ${message}`);
      this.hold = `memory above the hard limit (RSS ${mb(e.rss)} > ${mb(c.memoryHardLimit)})`;
      studio.lifecycle.holds.add(this.hold);
      return;
    }
    const message = e.kind === 'soft'
      ? `RSS ${mb(e.rss)} is above the soft limit of ${mb(c.memorySoftLimit)}`
      : `RSS is growing by ${slope} over the last ${Math.round(c.memorySlopeWindowMs / 1000)} s (limit ${mb(c.memorySlopeLimit)}/min)`;
    this.raise(e.kind, 'warning', message);
    log.warn({ rss: e.rss, slopePerMinute: e.slope }, `memory: ${message}`);
    if (this.deps.diagnostics.automaticAllowed()) {
      try {
        this.capture(e.kind, message);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'memory: diagnostics capture not started');
      }
    }
  }

  private releaseHold(): void {
    if (this.hold) this.deps.studio.lifecycle.holds.delete(this.hold);
    this.hold = undefined;
  }
}
