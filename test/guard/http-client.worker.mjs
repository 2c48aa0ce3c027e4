// The leak test's HTTP client, in its own thread so that its JIT code and sockets are not in the measured heap.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', async ({ url, upload, query, truncated }) => {
  const post = (body, type, q = '') => fetch(`${url}/api/renders${q ? `?${q}` : ''}`, { method: 'POST', body, headers: { 'content-type': type } });
  try {
    const statuses = [];
    const miss = await post(upload, 'image/jpeg', query);
    const missJson = await miss.json();
    const hit = await post(upload, 'image/jpeg', query);
    const hitJson = await hit.json();
    statuses.push(miss.status, hit.status, missJson.cached === false && hitJson.cached === true ? 'miss-hit' : 'not-miss-hit');
    const art = await fetch(url + missJson.artworks.oil);
    await art.arrayBuffer();
    statuses.push(art.status);
    const unknown = await fetch(`${url}/api/renders/${'0'.repeat(64)}/oil.png`);
    await unknown.arrayBuffer();
    statuses.push(unknown.status);
    for (const [body, type] of [[new Uint8Array(0), 'image/jpeg'], ['not an image', 'text/plain'], [truncated, 'image/jpeg']]) {
      const r = await post(body, type);
      await r.arrayBuffer();
      statuses.push(r.status);
    }
    parentPort.postMessage({ statuses });
  } catch (e) {
    parentPort.postMessage({ error: String(e?.stack ?? e) });
  }
});
