#!/usr/bin/env node
// Case p's floor: what a publish costs with this gateway's Redis broker and less HTTP framework
// around it, so the bench can say how much of the gateway's cost per publish is the broker and how
// much the request pipeline (README: Performance). Not a product: no authorization, limits, CORS,
// metrics or drain; a bench peer only, measured by scripts/bench/measure.sh beside the gateway.
//   PORT=14013 REDIS_URL=redis://127.0.0.1:16379 node scripts/bench/publish-floor.mjs node   # node:http alone
//   PORT=14014 REDIS_URL=redis://127.0.0.1:16379 node scripts/bench/publish-floor.mjs nest   # a minimal Nest app on Express
// Both serve the gateway's two routes as the harness uses them: `GET /channels/:channel/events`
// (live events as `text/event-stream`) and `POST /channels/:channel/events` with `{"data": ...}`
// (201 `{id, channel}` once Redis has stored it). Needs `npm run build` (it imports dist/).
import http from 'node:http';
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RedisBroker, SseExpressAdapter } from '../../dist/sse/internals.js';

const mode = process.argv[2];
const port = Number(process.env.PORT);
if (!['node', 'nest'].includes(mode) || !Number.isInteger(port) || !process.env.REDIS_URL) {
  console.error('usage: PORT=... REDIS_URL=... node publish-floor.mjs node|nest');
  process.exit(2);
}
const CHANNEL_PATH = /^\/channels\/([A-Za-z0-9._:-]{1,200})\/events(?:\?.*)?$/;
const MAX_BODY_BYTES = 64 * 1024;

const broker = new RedisBroker({ url: process.env.REDIS_URL, historyLimit: 1000 });
await broker.connect();

/** Stores `data` (any JSON value, serialized once as the gateway's hub does) and answers the id. */
async function publish(channel, data) {
  const result = await broker.publish(channel, { data: JSON.stringify(data ?? null) });
  return { id: result.position.toString(), channel };
}

/** A live stream of one channel on a raw response: one frame per event, as the harness reads them. */
function openStream(channel, response) {
  response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  response.flushHeaders();
  const listener = { onEvent: (event) => response.write(`id: ${event.position}\ndata: ${event.data}\n\n`) };
  const subscription = broker.subscribe(channel, listener);
  response.on('close', () => subscription.then((s) => s.unsubscribe()).catch(() => undefined));
  subscription.catch(() => response.destroy());
}

function sendJson(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

async function startNode() {
  const server = http.createServer((request, response) => {
    const channel = CHANNEL_PATH.exec(request.url ?? '')?.[1];
    if (!channel) return sendJson(response, 404, { error: 'not found' });
    if (request.method === 'GET') return openStream(channel, response);
    if (request.method !== 'POST') return sendJson(response, 405, { error: 'method not allowed' });
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_BODY_BYTES) return sendJson(response, 413, { error: 'body too large' });
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return sendJson(response, 400, { error: 'body is not JSON' });
      }
      publish(channel, body?.data).then(
        (answer) => sendJson(response, 201, answer),
        () => sendJson(response, 503, { error: 'broker unavailable' }),
      );
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return () => server.close();
}

async function startNest() {
  // Plain JavaScript: the decorators are applied as functions, as TypeScript would compile them.
  class PublishController {
    publish(channel, body) {
      return publish(channel, body?.data);
    }
  }
  const method = Object.getOwnPropertyDescriptor(PublishController.prototype, 'publish');
  Controller('channels')(PublishController);
  Post(':channel/events')(PublishController.prototype, 'publish', method);
  HttpCode(201)(PublishController.prototype, 'publish', method);
  Param('channel')(PublishController.prototype, 'publish', 0);
  Body()(PublishController.prototype, 'publish', 1);
  class FloorModule {}
  Module({ controllers: [PublishController] })(FloorModule);

  const app = await NestFactory.create(FloorModule, new SseExpressAdapter(), { logger: ['error'] });
  // The stream route outside Nest: the harness's 16 subscribers only need the events.
  app.getHttpAdapter().getInstance().get('/channels/:channel/events', (request, response) => openStream(request.params.channel, response));
  await app.listen(port, '127.0.0.1');
  return () => app.close();
}

const stop = mode === 'node' ? await startNode() : await startNest();
console.log(`publish floor (${mode}) listening on 127.0.0.1:${port}`);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    Promise.resolve(stop())
      .then(() => broker.close())
      .finally(() => process.exit(0));
  });
}
