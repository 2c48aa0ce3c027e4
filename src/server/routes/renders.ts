/**
 * POST /api/renders and GET /api/renders/:id/:style.:ext — uploads in, artworks out.
 * The photo comes as multipart field `image` or as a raw image/* body; options come as multipart fields or
 * query parameters (multipart wins when both name the same field).
 */
import type { FastifyBodyParser, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { AtelierError } from '../../errors.js';
import { isStyleId } from '../../filters/registry.js';
import { ACCEPTED_INPUT_TEXT } from '../../imaging/formats.js';
import { parseRenderFields, type RenderFields } from '../render-request.js';
import { RENDER_ID, type CachedRender, type ResultCache } from '../result-cache.js';
import type { Studio } from '../studio.js';

interface Upload {
  image: Buffer;
  fields: RenderFields;
}

function addField(fields: RenderFields, name: string, value: string): void {
  const prev = fields[name];
  fields[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
}

async function readMultipart(request: FastifyRequest, maxUploadBytes: number): Promise<Upload> {
  const fields: RenderFields = {};
  let image: Buffer | undefined;
  const parts = request.parts({ limits: { fileSize: maxUploadBytes, files: 1, fields: 64, fieldSize: 1024, parts: 66 } });
  for await (const part of parts) {
    if (part.type === 'file') {
      if (part.fieldname !== 'image') {
        part.file.resume();
        throw new AtelierError('INVALID_ARGUMENT', `unexpected file field "${part.fieldname}"; send the photo in the field "image"`);
      }
      image = await part.toBuffer();
    } else {
      if (part.fieldname === 'image') throw new AtelierError('INVALID_ARGUMENT', 'the field "image" must be a file, not text');
      addField(fields, part.fieldname, String(part.value));
    }
  }
  if (image === undefined) throw new AtelierError('EMPTY_INPUT', 'no photo: the multipart body has no file field "image"');
  return { image, fields };
}

function readUpload(request: FastifyRequest, maxUploadBytes: number): Promise<Upload> | Upload {
  const query = { ...(request.query as RenderFields) };
  if (request.isMultipart()) {
    return readMultipart(request, maxUploadBytes).then(({ image, fields }) => ({ image, fields: { ...query, ...fields } }));
  }
  const body = request.body;
  if (body === undefined || body === null || (Buffer.isBuffer(body) && body.length === 0) || body === '') {
    throw new AtelierError('EMPTY_INPUT', 'no photo: send it as multipart/form-data field "image" or as a raw image/* body');
  }
  if (!Buffer.isBuffer(body)) throw new AtelierError('UNSUPPORTED_MEDIA_TYPE', 'the body is not an image');
  return { image: body, fields: query };
}

const RENDER_RESPONSE = {
  type: 'object',
  required: ['id', 'width', 'height', 'styles', 'cached', 'artworks'],
  properties: {
    id: { type: 'string' },
    width: { type: 'integer' },
    height: { type: 'integer' },
    styles: { type: 'array', items: { type: 'string' } },
    cached: { type: 'boolean' },
    artworks: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

function describeRender(render: CachedRender, cached: boolean) {
  const artworks: Record<string, string> = {};
  for (const [style, a] of render.artworks) artworks[style] = `/api/renders/${render.id}/${style}.${a.ext}`;
  return { id: render.id, width: render.width, height: render.height, styles: render.styles, cached, artworks };
}

function findRender(cache: ResultCache, id: string): CachedRender {
  const render = RENDER_ID.test(id) ? cache.get(id) : undefined;
  if (!render) throw new AtelierError('NOT_FOUND', `render ${JSON.stringify(id)} is unknown or was evicted from the cache; upload the photo again`);
  return render;
}

export async function rendersRoutes(app: FastifyInstance, opts: { studio: Studio }): Promise<void> {
  const { studio } = opts;
  const { config } = studio;
  // This route group takes photos only: fastify's JSON and text parsers are dropped here, so text, HTML or
  // JSON bodies are refused as not an image (415) before they are read.
  app.removeAllContentTypeParsers();
  await app.register(multipart, { limits: { fileSize: config.maxUploadBytes } });
  // Raw uploads: any image/* type (and application/octet-stream, for clients that send bytes untyped) arrives as
  // a Buffer bounded by the upload limit; the imaging layer then checks what it really is. SVG is refused from
  // its type: a vector image is a program we do not run.
  const rawParser: FastifyBodyParser<Buffer> = (request, body, done) => {
    if (/^image\/svg/i.test(request.headers['content-type'] ?? '')) {
      done(new AtelierError('UNSUPPORTED_MEDIA_TYPE', `SVG is not accepted; send a raster photo (${ACCEPTED_INPUT_TEXT})`), undefined);
      return;
    }
    done(null, body);
  };
  for (const type of [/^image\/[\w.+-]+$/i, 'application/octet-stream']) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: config.maxUploadBytes }, rawParser);
  }
  app.addContentTypeParser('*', (request, _payload, done) => {
    if (request.headers['content-length'] === '0') {
      done(null, undefined);
      return;
    }
    const type = JSON.stringify(request.headers['content-type'] ?? '');
    done(new AtelierError('UNSUPPORTED_MEDIA_TYPE', `content type ${type} is not an image; send a photo as multipart/form-data field "image" or as a raw image/* body`), undefined);
  });

  // Before a byte of the body is read, the upload's bytes are reserved until the answer (upload-budget.ts).
  const reserveUpload = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const declared = Number(request.headers['content-length']);
    const bytes = Number.isSafeInteger(declared) && declared >= 0 ? Math.min(declared, config.maxUploadBytes) : config.maxUploadBytes;
    const release = studio.uploads.reserve(bytes);
    if (!release) {
      // The body stays unread: the connection is closed after the answer rather than drained.
      void reply.header('connection', 'close');
      studio.metrics.renders.inc({ outcome: 'shed' });
      throw new AtelierError('OVERLOADED', `the uploads in flight already hold ${Math.round(studio.uploads.heldBytes / 1048576)} MB, the most the studio takes at once; try again shortly`);
    }
    reply.raw.once('close', release);
  };

  app.post('/api/renders', { bodyLimit: config.maxUploadBytes, onRequest: reserveUpload, schema: { response: { 201: RENDER_RESPONSE } } }, async (request, reply) => {
    const { lifecycle } = studio;
    if (lifecycle.draining) throw new AtelierError('NOT_READY', 'the server is shutting down; retry on another instance');
    if (lifecycle.holds.size > 0) throw new AtelierError('OVERLOADED', `the server is not taking renders now (${[...lifecycle.holds].join('; ')}); try again shortly`);
    const { image, fields } = await readUpload(request, config.maxUploadBytes);
    if (image.length === 0) throw new AtelierError('EMPTY_INPUT', 'the uploaded photo is empty (0 bytes)');
    const options = parseRenderFields(fields, config);
    // The client's disconnect aborts its job, queued or running.
    const clientGone = new AbortController();
    const onClose = (): void => {
      if (!reply.raw.writableFinished) clientGone.abort(new AtelierError('CLIENT_CLOSED', 'the client closed the connection; its render was stopped'));
    };
    reply.raw.once('close', onClose);
    try {
      const { render, cached } = await studio.renders.render(image, options, clientGone.signal);
      return reply.code(201).header('location', `/api/renders/${render.id}`).send(describeRender(render, cached));
    } finally {
      reply.raw.off('close', onClose);
    }
  });

  // The description of a cached render, as POST answered it (with cached: true).
  app.get<{ Params: { id: string } }>('/api/renders/:id', { schema: { response: { 200: RENDER_RESPONSE } } }, async (request) => describeRender(findRender(studio.cache, request.params.id), true));

  app.get<{ Params: { id: string; file: string } }>(
    '/api/renders/:id/:file',
    {
      schema: {
        params: {
          type: 'object',
          // Anything malformed is simply not found: no id outside the cache exists.
          properties: { id: { type: 'string' }, file: { type: 'string' } },
          required: ['id', 'file'],
        },
      },
    },
    async (request, reply) => {
      const { id, file } = request.params;
      const render = findRender(studio.cache, id);
      const dot = file.lastIndexOf('.');
      const style = file.slice(0, dot);
      const ext = file.slice(dot + 1);
      const artwork = isStyleId(style) ? render.artworks.get(style) : undefined;
      if (!artwork || artwork.ext !== ext) throw new AtelierError('NOT_FOUND', `render ${id} has no artwork ${file}; it has ${[...render.artworks.entries()].map(([s, a]) => `${s}.${a.ext}`).join(', ')}`);
      void reply.header('etag', artwork.etag).header('cache-control', 'public, max-age=31536000, immutable');
      const inm = request.headers['if-none-match'];
      if (inm && inm.split(',').some((t) => t.trim() === artwork.etag || t.trim() === '*')) return reply.code(304).send();
      // No Content-Disposition: the URL's last segment (`oil.png`) is already a good file name, and the page's
      // download links name the file after the photo.
      const body = await studio.cache.store.read(artwork.body);
      if (!body) throw new AtelierError('NOT_FOUND', `render ${id} was evicted from the cache; upload the photo again`);
      return reply.type(artwork.contentType).header('content-length', artwork.size).send(body);
    },
  );
}
