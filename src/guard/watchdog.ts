/**
 * The watchdog's judgement, free of timers and I/O so it can be driven by a test clock: fed one RSS reading at
 * a time, it says when the soft limit, the RSS slope or the hard limit start and stop being exceeded.
 *  - soft: RSS above the soft limit;
 *  - slope: the least-squares slope over the window (once at least half the window is covered) above the slope
 *    limit, in bytes per minute, of RSS less what is bounded on purpose (the result cache): a cache filling up
 *    to its bound is the program warming up, not memory getting away;
 *  - hard: RSS above the hard limit; it ends only once RSS is back below hard × (1 − hysteresis).
 */
import { leastSquares } from '../memory/stats.js';

export type WatchKind = 'soft' | 'slope' | 'hard';

export interface WatchdogLimits {
  softLimit: number;
  hardLimit: number;
  hysteresisPercent: number;
  /** Bytes per minute. */
  slopeLimit: number;
  slopeWindowMs: number;
}

export interface WatchEvent {
  kind: WatchKind;
  /** true when the condition starts, false when it ends. */
  active: boolean;
  rss: number;
  /** Bytes per minute, when known. */
  slope: number | null;
  t: number;
}

export interface WatchState {
  soft: boolean;
  slope: boolean;
  hard: boolean;
  /** Fitted RSS slope in bytes per minute, null until half the window is covered. */
  slopePerMinute: number | null;
}

export class Watchdog {
  private readonly times: number[] = [];
  private readonly values: number[] = [];
  private readonly state: WatchState = { soft: false, slope: false, hard: false, slopePerMinute: null };

  constructor(readonly limits: WatchdogLimits) {}

  get current(): Readonly<WatchState> {
    return this.state;
  }

  /**
   * Takes the RSS read at time `t` (ms), and the bytes of it held by bounded caches (left out of the slope), and
   * returns the conditions that started or ended.
   */
  observe(t: number, rss: number, bounded = 0): WatchEvent[] {
    const { softLimit, hardLimit, hysteresisPercent, slopeLimit, slopeWindowMs } = this.limits;
    this.times.push(t);
    this.values.push(rss - bounded);
    while (this.times.length > 2 && t - this.times[0] > slopeWindowMs) {
      this.times.shift();
      this.values.shift();
    }
    const covered = t - this.times[0];
    let slope: number | null = null;
    if (covered >= slopeWindowMs / 2 && this.times.length >= 3) {
      const minutes = this.times.map((x) => (x - this.times[0]) / 60_000);
      slope = leastSquares(minutes, this.values).slope;
    }
    this.state.slopePerMinute = slope;
    const events: WatchEvent[] = [];
    const set = (kind: WatchKind, active: boolean): void => {
      if (this.state[kind] === active) return;
      this.state[kind] = active;
      events.push({ kind, active, rss, slope, t });
    };
    set('soft', rss > softLimit);
    set('slope', slope !== null && slope > slopeLimit);
    if (rss > hardLimit) set('hard', true);
    else if (rss < hardLimit * (1 - hysteresisPercent / 100)) set('hard', false);
    return events;
  }
}
