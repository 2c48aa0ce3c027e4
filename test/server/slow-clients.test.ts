/**
 * Hostile clients at the socket level: a body that never finishes (408 after ATELIER_UPLOAD_TIMEOUT, its bytes
 * released), many large bodies at once (503 past ATELIER_MAX_PENDING_UPLOADS before they are read), and
 * malformed requests (400), each answered in the studio's JSON shape while the server keeps serving.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { get, metric, postRaw, smallPhoto, startStudio } from './harness.js';

interface RawAnswer {
  status: number;
  headers: string;
  json: { error?: { code: string; message: string } };
  ms: number;
}

/** Opens a socket to the studio and writes `head` (and nothing else unless told). */
async function open(url: string, head: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write(head);
  return socket;
}

/** Everything the server sends until it closes the socket, parsed as one HTTP answer. */
async function answerOf(socket: Socket, timeoutMs = 10_000): Promise<RawAnswer> {
  const start = Date.now();
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const timer = setTimeout(() => socket.destroy(new Error('no answer in time')), timeoutMs);
  try {
    await once(socket, 'close');
  } finally {
    clearTimeout(timer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const [headers, body = ''] = text.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0);
  return { status, headers, json: body ? JSON.parse(body) : {}, ms: Date.now() - start };
}

const postHead = (length: number | null): string =>
  `POST /api/renders HTTP/1.1\r\nHost: test\r\nContent-Type: image/jpeg\r\n${length === null ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`}\r\n\r\n`;

describe('slow and malformed clients', () => {
  it('a body that stops arriving gets 408 JSON after the upload time limit, and its bytes are given back', async () => {
    const s = await startStudio({ threads: 1, uploadTimeoutMs: 600 });
    try {
      const socket = await open(s.url, postHead(500_000) + 'x'.repeat(1000));
      const answer = await answerOf(socket);
      assert.equal(answer.status, 408);
      assert.equal(answer.json.error?.code, 'REQUEST_TIMEOUT');
      assert.match(answer.json.error!.message, /0\.6 s/);
      assert.ok(answer.ms >= 500 && answer.ms < 5000, `cut after ${answer.ms} ms`);
      assert.equal(s.studio.uploads.heldBytes, 0);
      // The server still renders.
      assert.equal((await postRaw(s.url, await smallPhoto(1), 'image/png', 'styles=sketch')).status, 201);
      const text = (await get(s.url, '/metrics')).body.toString();
      assert.equal(metric(text, 'atelier_rejected_inputs_total', { reason: 'REQUEST_TIMEOUT' }), 1);
    } finally {
      await s.close();
    }
  });

  it('refuses uploads with 503 before reading them while others hold the upload budget, then takes them again', async () => {
    const s = await startStudio({ threads: 1, maxPendingUploadBytes: 1024 * 1024, uploadTimeoutMs: 30_000 });
    const slow: Socket[] = [];
    try {
      // Two slow uploads: the first always gets in, the second fits beside it.
      slow.push(await open(s.url, postHead(600_000) + 'x'.repeat(100)));
      await new Promise((r) => setTimeout(r, 100));
      slow.push(await open(s.url, postHead(300_000)));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(s.studio.uploads.heldBytes, 900_000);
      // A third declaring 200 KB and one of unknown length (it may reach the 25 MB upload limit) do not fit.
      for (const length of [200_000, null]) {
        const refused = await answerOf(await open(s.url, postHead(length)));
        assert.equal(refused.status, 503);
        assert.equal(refused.json.error?.code, 'OVERLOADED');
        assert.match(refused.json.error!.message, /uploads in flight already hold/);
        assert.match(refused.headers, /retry-after: \d+/i);
      }
      const text = (await get(s.url, '/metrics')).body.toString();
      assert.equal(metric(text, 'atelier_upload_bytes_in_flight'), 900_000);
      assert.equal(metric(text, 'atelier_renders_total', { outcome: 'shed' }), 2);
      // The slow clients leave: their reservations go with them, and uploads are taken again.
      for (const socket of slow) socket.destroy();
      const deadline = Date.now() + 5000;
      while (s.studio.uploads.heldBytes !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(s.studio.uploads.heldBytes, 0);
      assert.equal((await postRaw(s.url, await smallPhoto(2), 'image/png', 'styles=sketch')).status, 201);
    } finally {
      for (const socket of slow) socket.destroy();
      await s.close();
    }
  });

  it('answers a malformed request with 400 JSON and keeps serving', async () => {
    const s = await startStudio({ threads: 1 });
    try {
      const bad = await answerOf(await open(s.url, 'THIS IS NOT HTTP\r\n\r\n'));
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error?.code, 'INVALID_ARGUMENT');
      const huge = await answerOf(await open(s.url, `GET /healthz HTTP/1.1\r\nHost: test\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
      assert.equal(huge.status, 431);
      assert.equal(huge.json.error?.code, 'HEADERS_TOO_LARGE');
      assert.equal((await get(s.url, '/healthz')).status, 200);
    } finally {
      await s.close();
    }
  });
});
