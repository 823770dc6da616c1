import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import type { IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { addSseOpenApi, SseModule } from '../src/sse/index.js';
import { startGateway } from './support/gateway-app.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { eventually } from './support/ports.js';
import { openStream, post, request, type JsonResponse, type TestStream } from './support/sse-client.js';
import { signToken, TEST_SECRET } from './support/tokens.js';

// The OpenAPI document the built gateway serves: valid OpenAPI 3.1, listing every route the
// gateway answers and nothing else, and true to what real calls answer (status, media type,
// JSON body, required headers). Then its Swagger UI page, the switch that turns both off, and
// the module's part of a host application's own document.

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const MAX_EVENT_BYTES = 1024;
// ajv-formats is CommonJS: its plugin is the module's `default` under Node's ESM interop.
const addFormats = formats.default;

/** `/channels/:channel/events` (Express) as `/channels/{channel}/events` (OpenAPI). */
const openApiPath = (expressPath: string) => expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** Every operation of a document, as `METHOD /path`. */
function operationsOf(document: Json): string[] {
  return Object.entries(document.paths as Json).flatMap(([route, item]) =>
    METHODS.filter((method) => item[method]).map((method) => `${method.toUpperCase()} ${route}`),
  );
}

/** Every Schema Object of a document (components, parameters, bodies, answers, headers), with where it is. */
function schemaObjectsOf(document: Json): [string, Json][] {
  const found: [string, Json][] = Object.entries(document.components?.schemas ?? {}).map(([name, s]) => [`components.schemas.${name}`, s as Json]);
  const fromContent = (where: string, content: Json | undefined) =>
    Object.entries(content ?? {}).forEach(([type, media]) => media.schema && found.push([`${where} ${type}`, media.schema]));
  const fromHeaders = (where: string, headers: Json | undefined) =>
    Object.entries(headers ?? {}).forEach(([name, header]) => header.schema && found.push([`${where} header ${name}`, header.schema]));
  fromHeaders('components.headers', document.components?.headers);
  for (const operation of operationsOf(document)) {
    const [method, route] = operation.split(' ') as [string, string];
    const op = document.paths[route][method.toLowerCase()];
    for (const parameter of op.parameters ?? []) found.push([`${operation} parameter ${parameter.name}`, parameter.schema]);
    fromContent(`${operation} body`, op.requestBody?.content);
    for (const [status, answer] of Object.entries(op.responses as Json)) {
      fromContent(`${operation} ${status}`, answer.content);
      fromHeaders(`${operation} ${status}`, answer.headers);
    }
  }
  return found;
}

/** Every value of `key` anywhere in `node`, with its JSON path. */
function keysIn(node: unknown, key: string, at = '$'): string[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => keysIn(item, key, `${at}[${i}]`));
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([k, v]) => [...(k === key ? [`${at}.${k}`] : []), ...keysIn(v, key, `${at}.${k}`)]);
}

/** Checks a document the way any consumer would need it to hold. */
async function expectValidOpenApi31(document: Json): Promise<void> {
  expect(document.openapi).toBe('3.1.0');
  // The official OpenAPI 3.1 JSON schema (from the OpenAPI repository, as the validator ships it).
  const validator = new Validator();
  const result = await validator.validate(document);
  expect(result.errors).toBeUndefined();
  expect(result.valid).toBe(true);
  expect(validator.version).toBe('3.1');
  // That schema leaves Schema Objects to the JSON Schema dialect: check each against 2020-12.
  const meta = new Ajv2020({ strict: false, validateFormats: false });
  const bad = schemaObjectsOf(document).filter(([, schema]) => !meta.validateSchema(schema)).map(([where]) => `${where}: ${meta.errorsText()}`);
  expect(bad).toEqual([]);
  // `nullable` is OpenAPI 3.0's; 3.1 says null with a type array, which JSON Schema tools understand.
  expect(keysIn(document, 'nullable')).toEqual([]);
  // Every reference resolves, every security requirement names a declared scheme.
  expect(() => validator.resolveRefs()).not.toThrow();
  const schemes = Object.keys(document.components?.securitySchemes ?? {});
  const required = operationsOf(document).flatMap((operation) => {
    const [method, route] = operation.split(' ') as [string, string];
    return (document.paths[route][method.toLowerCase()].security ?? []).flatMap((requirement: Json) => Object.keys(requirement));
  });
  expect(required.filter((name) => !schemes.includes(name))).toEqual([]);
}

/** Checks answers against a document: the status is documented, and what came is what it says. */
class DocumentedAnswers {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly checked = new Set<string>();

  constructor(private readonly document: Json) {
    addFormats(this.ajv);
    this.ajv.addSchema(document, 'openapi.json');
  }

  /** `route` is the documented path (`/channels/{channel}/events`). */
  expect(method: string, route: string, answer: { status: number; headers: IncomingHttpHeaders; body?: unknown }): void {
    const where = `${method} ${route} ${answer.status}`;
    const operation = this.document.paths[route]?.[method.toLowerCase()];
    expect({ where, documented: operation !== undefined }).toEqual({ where, documented: true });
    const response = operation.responses[String(answer.status)];
    expect({ where, documented: response !== undefined }).toEqual({ where, documented: true });
    this.checked.add(where);
    for (const [name, header] of Object.entries(response.headers ?? {}) as [string, Json][]) {
      const resolved = header.$ref ? this.document.components.headers[header.$ref.split('/').pop()] : header;
      if (resolved.required) expect({ where, header: name, present: answer.headers[name.toLowerCase()] !== undefined }).toEqual({ where, header: name, present: true });
    }
    const type = answer.headers['content-type']?.split(';')[0]?.trim();
    if (type === undefined) {
      expect({ where, content: response.content }).toEqual({ where, content: undefined });
      return;
    }
    expect({ where, type, documented: Object.keys(response.content ?? {}) }).toEqual({ where, type, documented: expect.arrayContaining([type]) });
    if (type === 'application/json') {
      const pointer = ['paths', route, method.toLowerCase(), 'responses', String(answer.status), 'content', type, 'schema']
        .map((part) => encodeURIComponent(part.replace(/~/g, '~0').replace(/\//g, '~1')))
        .join('/');
      const valid = this.ajv.validate({ $ref: `openapi.json#/${pointer}` }, answer.body);
      expect({ where, body: answer.body, errors: valid ? [] : this.ajv.errorsText() }).toEqual({ where, body: answer.body, errors: [] });
    }
  }

  /** Validates `value` against a named schema of the document (`components.schemas`). */
  expectSchema(name: string, value: unknown): void {
    const valid = this.ajv.validate({ $ref: `openapi.json#/components/schemas/${name}` }, value);
    expect({ name, value, errors: valid ? [] : this.ajv.errorsText() }).toEqual({ name, value, errors: [] });
  }

  /** The `METHOD path status` triples checked so far. */
  get seen(): string[] {
    return [...this.checked].sort();
  }
}

describe('the API document of the built gateway (GET /openapi.json, GET /docs)', () => {
  let gateway: GatewayProcess;
  /** Authorization and limits on, docs off: 401, 403, 429, 503, and the switch. */
  let locked: GatewayProcess;
  let document: Json;
  let answers: DocumentedAnswers;
  const streams: TestStream[] = [];
  const env = { SSE_MAX_EVENT_BYTES: String(MAX_EVENT_BYTES), SSE_HEARTBEAT_MS: '60000' };

  beforeAll(async () => {
    // Started side by side on a shared 2-core machine: give them room.
    [gateway, locked] = await Promise.all([
      startGatewayProcess({ ...env, INSTANCE_ID: 'gw-docs' }, { timeoutMs: 40_000 }),
      startGatewayProcess({ ...env, SSE_DOCS: 'false', SSE_JWT_SECRET: TEST_SECRET, SSE_MAX_CONNECTIONS: '1', SSE_PUBLISH_RATE_LIMIT: '1' }, { timeoutMs: 40_000 }),
    ]);
    const served = await request<Json>('GET', `${gateway.url}/openapi.json`);
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toMatch(/^application\/json/);
    expect(served.headers['x-instance-id']).toBe('gw-docs');
    document = served.body;
    answers = new DocumentedAnswers(document);
  }, 90_000);
  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });
  afterAll(async () => {
    await Promise.all([gateway?.stop(), locked?.stop()]);
  }, 30_000);

  it('is valid OpenAPI 3.1: the official schema, JSON Schema 2020-12 schemas, no 3.0 `nullable`, every reference resolved', async () => {
    await expectValidOpenApi31(document);
    const { version } = JSON.parse(readFileSync(path.resolve('package.json'), 'utf8')) as { version: string };
    expect(document.info).toMatchObject({ title: 'nest-sse-gateway', version });
    expect(document.info.description).toContain('Authorization is off on this instance');
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['sse-bearer', 'sse-token-cookie', 'sse-token-query']);
    expect(document.components.securitySchemes['sse-token-query']).toMatchObject({ type: 'apiKey', in: 'query', name: 'token' });
    expect(document.components.securitySchemes['sse-token-cookie']).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'sse_token' });
    expect(document.components.securitySchemes['sse-bearer']).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    // A nullable field as 3.1 says it.
    expect(document.components.schemas.HistoryAnswer.properties.head.type).toEqual(['string', 'null']);
    // Every example of a JSON answer is one its schema accepts.
    const examples = operationsOf(document).flatMap((operation) => {
      const [method, route] = operation.split(' ') as [string, string];
      return Object.entries(document.paths[route][method.toLowerCase()].responses as Json)
        .filter(([, response]) => response.content?.['application/json']?.example !== undefined)
        .map(([status, response]) => ({ operation, status, example: response.content['application/json'].example }));
    });
    expect(examples.length).toBeGreaterThanOrEqual(20);
    const exampleAnswers = new DocumentedAnswers(document);
    for (const { operation, status, example } of examples) {
      const [method, route] = operation.split(' ') as [string, string];
      exampleAnswers.expect(method, route, { status: Number(status), headers: { 'content-type': 'application/json', 'x-instance-id': 'gw', 'www-authenticate': 'Bearer', 'retry-after': '1' }, body: example });
    }
  });

  it('lists every route the gateway answers, and nothing else', async () => {
    // Nest's routes as Express holds them, in a gateway built the same way in this process.
    const inProcess = await startGateway(env);
    try {
      const router = (inProcess.app as NestExpressApplication).getHttpAdapter().getInstance().router;
      // Route middleware (the JSON body parser of the publish and sync routes) adds layers of
      // its own, `/sync/` for a controller's root: the same path to Express' non-strict routing.
      const routes = [
        ...new Set<string>(
          router.stack
            .filter((layer: Json) => layer.route)
            .flatMap((layer: Json) =>
              Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${openApiPath(layer.route.path).replace(/(.)\/$/, '$1')}`),
            ),
        ),
      ];
      // The demo page is for people (as /docs is), not part of the API.
      const pages = ['GET /', 'GET /assets/{file}'];
      expect(routes.filter((route) => !pages.includes(route)).sort()).toEqual(operationsOf(document).sort());
      expect(operationsOf(document).sort()).toEqual([
        'GET /channels/{channel}/events',
        'GET /channels/{channel}/presence',
        'GET /cluster',
        'GET /events',
        'GET /health',
        'GET /health/live',
        'GET /health/ready',
        'GET /metrics',
        'OPTIONS /channels/{channel}/events',
        'OPTIONS /channels/{channel}/presence',
        'OPTIONS /events',
        'OPTIONS /sync',
        'POST /channels/{channel}/events',
        'POST /sync',
      ]);
    } finally {
      await inProcess.close();
    }
  });

  it('documents the status, media type, JSON body and required headers of what real calls answer', async () => {
    const url = gateway.url;
    const channelEvents = '/channels/{channel}/events';
    const call = async (method: string, route: string, target: string, options: Parameters<typeof request>[2] = {}): Promise<JsonResponse<any>> => {
      const answer = await request(method, `${url}${target}`, options);
      expect(answer.headers['x-instance-id']).toBe('gw-docs');
      answers.expect(method, route, answer);
      return answer;
    };

    // Publishing: stored, replayed under the same key, and every way the body can be wrong.
    const first = await call('POST', channelEvents, '/channels/docs.orders/events', { json: { event: 'order.created', data: { id: 'o-1' } } });
    expect(first.status).toBe(201);
    const again = await call('POST', channelEvents, '/channels/docs.orders/events', { json: { data: null }, headers: { 'idempotency-key': 'k-1' } });
    expect(again.status).toBe(201);
    const last = await call('POST', channelEvents, '/channels/docs.orders/events', { json: { data: 'text' } });
    expect((await call('POST', channelEvents, '/channels/docs.orders/events', { json: { nope: 1 } })).status).toBe(400);
    expect((await call('POST', channelEvents, '/channels/docs.orders/events', { body: '{"data": ' , headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await call('POST', channelEvents, '/channels/docs.orders/events', { json: { event: 'reset', data: 1 } })).status).toBe(400);
    expect((await call('POST', channelEvents, '/channels/bad%20name/events', { json: { data: 1 } })).status).toBe(400);
    expect((await call('POST', channelEvents, '/channels/docs.orders/events', { json: { data: 'x'.repeat(MAX_EVENT_BYTES) } })).status).toBe(413);
    expect((await call('POST', channelEvents, '/channels/docs.orders/events', { body: 'hello', headers: { 'content-type': 'text/plain' } })).status).toBe(415);

    // History as JSON: events, a position that cannot resume, bad limits, nothing acceptable.
    const history = await call('GET', channelEvents, '/channels/docs.orders/events', { headers: { accept: 'application/json' } });
    expect(history.status).toBe(200);
    expect(history.body.events.map((e: Json) => e.data)).toEqual([{ id: 'o-1' }, null, 'text']);
    const reset = await call('GET', channelEvents, '/channels/docs.orders/events?after=not-a-position', { headers: { accept: 'application/json' } });
    expect(reset.body).toMatchObject({ events: [], reset: { reason: 'unknown' } });
    const empty = await call('GET', channelEvents, '/channels/docs.empty/events', { headers: { accept: 'application/json' } });
    expect(empty.body).toEqual({ events: [], head: null });
    expect((await call('GET', channelEvents, '/channels/docs.orders/events?limit=0', { headers: { accept: 'application/json' } })).status).toBe(400);
    expect((await call('GET', channelEvents, '/channels/docs.orders/events', { headers: { accept: 'text/html' } })).status).toBe(406);
    expect((await call('GET', '/events', '/events', { headers: { accept: 'text/event-stream' } })).status).toBe(400);

    // Sync: one channel, an empty one (lastEventId null), several, a bad body.
    expect((await call('POST', '/sync', '/sync', { json: { channel: 'docs.orders' } })).body.lastEventId).toBe(last.body.id);
    expect((await call('POST', '/sync', '/sync', { json: { channel: 'docs.empty' } })).body.lastEventId).toBeNull();
    expect((await call('POST', '/sync', '/sync', { json: { channels: ['docs.orders', 'docs.empty'] } })).status).toBe(200);
    expect((await call('POST', '/sync', '/sync', { json: { channel: 'a', channels: ['b'] } })).status).toBe(400);
    expect((await call('POST', '/sync', '/sync', { body: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);

    // What each URL allows.
    expect((await call('OPTIONS', channelEvents, '/channels/docs.orders/events')).headers.allow).toBe('GET, HEAD, POST, OPTIONS');
    expect((await call('OPTIONS', '/events', '/events')).headers.allow).toBe('GET, HEAD, OPTIONS');
    expect((await call('OPTIONS', '/sync', '/sync')).headers.allow).toBe('POST, OPTIONS');

    // The gateway's own.
    for (const route of ['/health', '/health/live', '/health/ready', '/cluster']) expect((await call('GET', route, route)).status).toBe(200);

    expect(answers.seen).toEqual(
      expect.arrayContaining([
        'POST /channels/{channel}/events 201',
        'POST /channels/{channel}/events 400',
        'POST /channels/{channel}/events 413',
        'POST /channels/{channel}/events 415',
        'GET /channels/{channel}/events 200',
        'GET /channels/{channel}/events 400',
        'GET /channels/{channel}/events 406',
        'GET /events 400',
        'POST /sync 200',
        'POST /sync 400',
        'POST /sync 415',
        'OPTIONS /channels/{channel}/events 204',
        'OPTIONS /events 204',
        'OPTIONS /sync 204',
        'GET /health 200',
        'GET /health/live 200',
        'GET /health/ready 200',
        'GET /cluster 200',
      ]),
    );
  });

  it('describes streams as text/event-stream, and their reserved events carry the documented data', async () => {
    const single = await openStream(`${gateway.url}/channels/docs.live/events?lastEventId=not-a-position`);
    streams.push(single);
    answers.expect('GET', '/channels/{channel}/events', single);
    expect(single.headers['content-type']).toMatch(/^text\/event-stream/);
    const media = document.paths['/channels/{channel}/events'].get.responses['200'].content['text/event-stream'];
    expect(Object.keys(media['x-sse-events'])).toEqual(['sse.connected', 'reset', 'sse.token-expired', '*']);
    for (const type of ['sse.connected', 'reset', 'sse.token-expired', 'retry:', 'data:', 'id:']) expect(media.schema.description).toContain(type);

    const [resetEvent] = await single.waitForEvents(1);
    expect(resetEvent!.type).toBe('reset');
    answers.expectSchema('ResetEventData', JSON.parse(resetEvent!.data));
    expect(single.parser.setAside.map((e) => e.type)).toEqual(['sse.connected']);
    answers.expectSchema('ConnectedEventData', JSON.parse(single.parser.setAside[0]!.data));

    const several = await openStream(`${gateway.url}/events?channel=docs.live&channel=docs.other`);
    streams.push(several);
    answers.expect('GET', '/events', several);
    await eventually(async () => (await request<Json>('GET', `${gateway.url}/health`)).body.connections.open === 2, 5000, 'both streams open');
    expect((await post(`${gateway.url}/channels/docs.live/events`, { event: 'note', data: [1, 'two'] })).status).toBe(201);
    const [envelope] = await several.waitForEvents(1);
    answers.expectSchema('ChannelEnvelope', JSON.parse(envelope!.data));
    expect(JSON.parse(envelope!.data)).toEqual({ channel: 'docs.live', data: [1, 'two'] });
    const [live] = await single.waitForEvents(2).then((events) => events.slice(1));
    expect(JSON.parse(live!.data)).toEqual([1, 'two']);
  });

  it('documents 401 and 403 with WWW-Authenticate, 429 and 503 with Retry-After, as a gateway with authorization and limits answers them', async () => {
    const route = '/channels/{channel}/events';
    const reader = await signToken({ sse: { subscribe: ['docs.*'], publish: ['docs.*'] } }, { sub: 'reader' });
    const outsider = await signToken({ sse: { subscribe: ['elsewhere'] } }, { sub: 'outsider' });

    const anonymous = await request('GET', `${locked.url}/channels/docs.a/events`, { headers: { accept: 'application/json' } });
    expect(anonymous.status).toBe(401);
    answers.expect('GET', route, anonymous);
    const forbidden = await request('GET', `${locked.url}/channels/docs.a/events`, { headers: { accept: 'application/json', authorization: `Bearer ${outsider}` } });
    expect(forbidden.status).toBe(403);
    answers.expect('GET', route, forbidden);
    const unpublishable = await post(`${locked.url}/channels/docs.a/events`, { data: 1 });
    expect(unpublishable.status).toBe(401);
    answers.expect('POST', route, unpublishable);

    const published = await post(`${locked.url}/channels/docs.a/events`, { data: 1 }, { authorization: `Bearer ${reader}` });
    expect(published.status).toBe(201);
    const limited = await post(`${locked.url}/channels/docs.a/events`, { data: 2 }, { authorization: `Bearer ${reader}` });
    expect(limited.status).toBe(429);
    answers.expect('POST', route, limited);

    const open = await openStream(`${locked.url}/channels/docs.a/events?token=${reader}`);
    streams.push(open);
    answers.expect('GET', route, open);
    const full = await request('GET', `${locked.url}/channels/docs.a/events?token=${reader}`, { headers: { accept: 'text/event-stream' } });
    expect(full.status).toBe(503);
    answers.expect('GET', route, full);
  });

  it('serves Swagger UI at /docs from the gateway itself: every asset local, the document inline', async () => {
    const page = await request('GET', `${gateway.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const references = [...page.text.matchAll(/(?:src|href)=["']([^"']+)["']/g)].map((m) => m[1]!);
    expect(references.length).toBeGreaterThanOrEqual(5);
    for (const reference of references) {
      const target = new URL(reference, `${gateway.url}/docs`);
      expect({ reference, origin: target.origin }).toEqual({ reference, origin: gateway.url });
      const asset = await request('GET', target.href);
      expect({ reference, status: asset.status }).toEqual({ reference, status: 200 });
    }
    const init = await request('GET', `${gateway.url}/docs/swagger-ui-init.js`);
    expect(init.text).toContain('"openapi": "3.1.0"');
    expect(init.text).toContain('"validatorUrl": null');

    // In a browser: every request goes to the gateway, and each operation is shown.
    const profile = mkdtempSync(path.join(tmpdir(), 'sse-docs-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
    try {
      const browserPage = await context.newPage();
      const requested: string[] = [];
      browserPage.on('request', (r) => requested.push(r.url()));
      await browserPage.goto(`${gateway.url}/docs`);
      const operations = operationsOf(document).length;
      await eventually(async () => (await browserPage.locator('.opblock').count()) === operations, 20_000, `${operations} operations shown`);
      await expect(browserPage.locator('.opblock-summary-path').allInnerTexts()).resolves.toEqual(expect.arrayContaining(['/channels/{channel}/events', '/sync', '/health/ready']));
      expect(requested.filter((u) => !u.startsWith(`${gateway.url}/`) && !u.startsWith('data:'))).toEqual([]);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }, 60_000);

  it('SSE_DOCS=false: /openapi.json and /docs answer 404', async () => {
    for (const target of ['/openapi.json', '/docs', '/docs/', '/docs/swagger-ui.css', '/docs/swagger-ui-init.js']) {
      const answer = await request<Json>('GET', `${locked.url}${target}`);
      expect({ target, status: answer.status, error: answer.body.error }).toEqual({ target, status: 404, error: 'Not Found' });
    }
    expect((await request('GET', `${locked.url}/health/live`)).status).toBe(200);
  });
});

@Controller('shop')
class ShopController {
  @Get('orders')
  orders(): string[] {
    return [];
  }
}

@Module({ controllers: [ShopController] })
class ShopModule {}

describe("the module's part of a host application's own document", () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [SseModule.forRoot({ http: { prefix: '/events-api/' } }), ShopModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
  });
  afterAll(() => app?.close());

  it("appears under the module's prefix beside the application's routes, with its schemes and schemas", async () => {
    const config = addSseOpenApi(new DocumentBuilder().setTitle('Shop').setVersion('1.0.0').setOpenAPIVersion('3.1.0')).build();
    const document = SwaggerModule.createDocument(app, config) as unknown as Json;
    await expectValidOpenApi31(document);
    expect(operationsOf(document).sort()).toEqual([
      'GET /events-api/channels/{channel}/events',
      'GET /events-api/channels/{channel}/presence',
      'GET /events-api/events',
      'GET /shop/orders',
      'OPTIONS /events-api/channels/{channel}/events',
      'OPTIONS /events-api/channels/{channel}/presence',
      'OPTIONS /events-api/events',
      'OPTIONS /events-api/sync',
      'POST /events-api/channels/{channel}/events',
      'POST /events-api/sync',
    ]);
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['ErrorBody', 'PublishBody', 'HistoryAnswer', 'ResetEventData', 'SyncChannelAnswer']));
    // The gateway, not the module, sets X-Instance-Id: a host's document does not promise it.
    expect(keysIn(document, 'X-Instance-Id')).toEqual([]);
  });

  it('stays valid in an OpenAPI 3.0 document, the default of SwaggerModule', async () => {
    const config = addSseOpenApi(new DocumentBuilder().setTitle('Shop').setVersion('1.0.0')).build();
    const document = SwaggerModule.createDocument(app, config) as unknown as Json;
    expect(document.openapi).toBe('3.0.0');
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors).toBeUndefined();
    expect(document.components.schemas.HistoryAnswer.properties.head).toMatchObject({ type: 'string', nullable: true });
  });
});
