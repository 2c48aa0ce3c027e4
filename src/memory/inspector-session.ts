/**
 * A promise-shaped wrapper over an in-process node:inspector session. For a session on the same thread the
 * inspector answers synchronously, which is what lets the preloads take a profile inside an 'exit' handler.
 */
import { Session } from 'node:inspector';

export class InspectorSession {
  private readonly session = new Session();
  private connected = false;

  connect(): this {
    if (!this.connected) { this.session.connect(); this.connected = true; }
    return this;
  }

  post<T = unknown>(method: string, params?: object): Promise<T> {
    return new Promise((resolve, reject) => {
      this.session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as T)));
    });
  }

  /** The same call for contexts where nothing may wait (an 'exit' handler). Throws if the answer is not immediate. */
  postSync<T = unknown>(method: string, params?: object): T {
    let out: { err: Error | null; result: unknown } | undefined;
    this.session.post(method, params ?? {}, (err, result) => { out = { err, result }; });
    if (!out) throw new Error(`inspector did not answer ${method} synchronously`);
    if (out.err) throw out.err;
    return out.result as T;
  }

  on(event: string, listener: (message: { params: unknown }) => void): void {
    this.session.on(event, listener as (m: unknown) => void);
  }

  off(event: string, listener: (message: { params: unknown }) => void): void {
    this.session.off(event, listener as (m: unknown) => void);
  }

  disconnect(): void {
    if (this.connected) { this.session.disconnect(); this.connected = false; }
  }
}
