import http from 'node:http';
import { post, request } from './support/sse-client.js';
import { startGateway, type TestGateway } from './support/gateway-app.js';

// POST /channels/:channel/events and every bad input it must refuse clearly.
describe('POST /channels/:channel/events', () => {
  let gateway: TestGateway;
  const url = (channel = 'orders') => `${gateway.url}/channels/${channel}/events`;
  const history = async (channel: string) =>
    (await request('GET', url(channel), { headers: { accept: 'application/json' } })).body.events as { data: unknown }[];

  beforeAll(async () => {
    gateway = await startGateway({ SSE_MAX_EVENT_BYTES: '1024', INSTANCE_ID: 'gw-pub' });
  });
  afterAll(() => gateway.close());

  it('answers 201 with the id and the channel once stored', async () => {
    const answer = await post(url(), { data: { id: 7 }, event: 'order.created' });
    expect(answer.status).toBe(201);
    expect(answer.headers['x-instance-id']).toBe('gw-pub');
    expect(answer.body).toEqual({ id: expect.any(String), channel: 'orders' });
    expect(await history('orders')).toEqual([expect.objectContaining({ id: answer.body.id, data: { id: 7 }, event: 'order.created' })]);
  });

  it('accepts any JSON value as data, null and strings included', async () => {
    for (const data of [null, 0, 'text', [1, 'two'], { deep: { er: true } }, false]) {
      expect((await post(url('values'), { data })).status).toBe(201);
    }
    expect((await history('values')).map((e) => e.data)).toEqual([null, 0, 'text', [1, 'two'], { deep: { er: true } }, false]);
  });

  const refusals: [string, () => Promise<{ status: number; body: any }>, number, RegExp][] = [
    ['malformed JSON', () => request('POST', url('bad'), { body: '{"data": ', headers: { 'content-type': 'application/json' } }), 400, /not valid JSON/],
    ['missing data', () => post(url('bad'), { event: 'x' }), 400, /"data" is required/],
    ['a body that is not an object', () => post(url('bad'), [1, 2]), 400, /must be a JSON object/],
    ['an unknown field', () => post(url('bad'), { data: 1, type: 'x' }), 400, /unknown field\(s\) "type"/],
    ['a form content type', () => request('POST', url('bad'), { body: 'data=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, /Content-Type "application\/x-www-form-urlencoded" is not accepted: send application\/json/],
    ['a text/plain body, even one holding JSON', () => request('POST', url('bad'), { body: '{"data":1}', headers: { 'content-type': 'text/plain' } }), 415, /send application\/json \(or any application\/\*\+json type\)/],
    ['an event type with a line break', () => post(url('bad'), { data: 1, event: 'a\nevent: reset' }), 400, /event type .* is invalid/],
    ['an event type with a carriage return', () => post(url('bad'), { data: 1, event: 'a\rb' }), 400, /event type .* is invalid/],
    ['an event type that is not a string', () => post(url('bad'), { data: 1, event: 5 }), 400, /"event" must be a string/],
    ['an event type too long', () => post(url('bad'), { data: 1, event: 'e'.repeat(65) }), 400, /1-64 characters/],
    ['the reserved type reset', () => post(url('bad'), { data: 1, event: 'reset' }), 400, /reserved/],
    ['a reserved sse. type', () => post(url('bad'), { data: 1, event: 'sse.close' }), 400, /reserved/],
    ['a bad channel name', () => post(`${gateway.url}/channels/no%20spaces/events`, { data: 1 }), 400, /channel name/],
    ['a channel name too long', () => post(url('c'.repeat(129)), { data: 1 }), 400, /1-128 characters/],
    ['a body over the limit', () => post(url('bad'), { data: 'x'.repeat(2000) }), 413, /larger than the 1024 bytes/],
    ['an Idempotency-Key with a line break', () => request('POST', url('bad'), { body: '{"data":1}', headers: { 'content-type': 'application/json', 'idempotency-key': 'a b' } }), 400, /Idempotency-Key/],
  ];

  it.each(refusals)('refuses %s with a clear JSON error', async (_what, send, status, message) => {
    const answer = await send();
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ statusCode: status, error: expect.any(String), message: expect.stringMatching(message) });
  });

  it('stores nothing for a refused publish', async () => {
    expect(await history('bad')).toEqual([]);
  });

  it('counts the body bytes for 413, multi-byte characters included', async () => {
    const justUnder = JSON.stringify({ data: 'é'.repeat(500) }); // 1000 + 11 bytes
    expect(Buffer.byteLength(justUnder)).toBeLessThanOrEqual(1024);
    expect((await request('POST', url('sizes'), { body: justUnder, headers: { 'content-type': 'application/json' } })).status).toBe(201);
    const over = JSON.stringify({ data: 'é'.repeat(510) });
    expect((await request('POST', url('sizes'), { body: over, headers: { 'content-type': 'application/json' } })).status).toBe(413);
  });

  it('refuses a too-large body announced by Content-Length without reading it', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(url('sizes'), { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '10000000' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"data":"');
    });
    expect(status).toBe(413);
  });

  it('stores once per Idempotency-Key and answers the first id again', async () => {
    const headers = { 'idempotency-key': 'order-42-created' };
    const first = await post(url('idem'), { data: 1 }, headers);
    const retry = await post(url('idem'), { data: 1 }, headers);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(await history('idem')).toHaveLength(1);
  });

  it('keeps serving after a storm of bad requests', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => request('POST', url('storm'), { body: `{"data": ${'['.repeat(i)}`, headers: { 'content-type': 'application/json' } })));
    expect((await post(url('storm'), { data: 'still here' })).status).toBe(201);
  });

  it('takes any application/*+json type, and no type at all, as JSON', async () => {
    for (const type of ['application/vnd.api+json', 'application/json; charset=utf-8', undefined]) {
      const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
      expect((await request('POST', url('types'), { body: '{"data":1}', headers })).status).toBe(201);
    }
  });

  it.each([
    ['/channels/orders/events', 'GET, HEAD, POST, OPTIONS'],
    ['/events?channel=orders', 'GET, HEAD, OPTIONS'],
    ['/sync', 'POST, OPTIONS'],
  ])('answers a plain OPTIONS on %s with 204 and Allow', async (path, allow) => {
    const answer = await request('OPTIONS', `${gateway.url}${path}`);
    expect(answer.status).toBe(204);
    expect(answer.headers.allow).toBe(allow);
    expect(answer.headers['x-instance-id']).toBe('gw-pub');
  });

  it('puts X-Instance-Id and a JSON body on a 404 too', async () => {
    const answer = await request('GET', `${gateway.url}/nowhere`);
    expect(answer.status).toBe(404);
    expect(answer.headers['x-instance-id']).toBe('gw-pub');
    expect(answer.body).toMatchObject({ statusCode: 404 });
  });
});
