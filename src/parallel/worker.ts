/**
 * A filter worker: builds a stage's steps over the SharedArrayBuffers it is sent (the same builder the single
 * thread uses) and runs the ranges it is given. It holds no state between stages.
 */
import { parentPort } from 'node:worker_threads';
import { STAGES } from '../filters/stages.js';
import { MapWorkspace, typedView, type Step } from '../filters/workspace.js';
import type { FromWorker, ToWorker } from './protocol.js';

if (!parentPort) throw new Error('src/parallel/worker runs only as a worker thread');
const port = parentPort;
let steps: Step[] = [];

port.on('message', (msg: ToWorker) => {
  let reply: FromWorker = { type: 'done' };
  try {
    if (msg.type === 'build') {
      const ws = new MapWorkspace();
      for (const b of msg.buffers) ws.put(b.name, b.kind, typedView(b.kind, b.buffer, b.length));
      // Every buffer the builder asks for must be one of the shared ones; a fresh one would not be seen by others.
      const strict = { get: ((name, kind, length) => {
        if (!ws.buffers.has(name)) throw new Error(`stage ${msg.stage} asked for buffer "${name}" that was not shared`);
        return ws.get(name, kind, length);
      }) as MapWorkspace['get'] };
      steps = STAGES[msg.stage](strict, msg.width, msg.height, msg.params, msg.options);
    } else if (msg.type === 'run') {
      steps[msg.step].run(msg.start, msg.end);
    } else {
      steps = [];
    }
  } catch (e) {
    reply = { type: 'error', message: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
