import { Controller, Get, Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import {
  ForbiddenError,
  SseModule,
  UnauthorizedError,
  type AccessGrant,
  type ChannelAccessRequest,
  type ChannelAction,
  type ChannelAuthorizer,
  type ChannelRequest,
} from '../src/sse/index.js';
import { openStream, post, request, type TestStream } from './support/sse-client.js';

// The HTTP API mounted in a host application: under a prefix, guarded by the application's
// own authorizer (a session-like header here), beside the application's own routes.

/** Who is asking, from a session the host application keeps (an `x-user` header stands in for it). */
@Injectable()
class SessionAuthorizer implements ChannelAuthorizer {
  readonly seen: ChannelAccessRequest[] = [];

  async authenticate(request: ChannelRequest, _action: ChannelAction): Promise<AccessGrant | undefined> {
    const user = request.headers['x-user'];
    if (user === 'mallory') throw new UnauthorizedError('session revoked', true);
    return typeof user === 'string' ? { subject: user } : undefined;
  }

  authorize(grant: AccessGrant | undefined, access: ChannelAccessRequest): void {
    this.seen.push(access);
    if (!grant) throw new UnauthorizedError('log in first', false);
    const own = `user.${grant.subject}`;
    const denied = access.channels.filter((c) => c !== own && !(access.action !== 'publish' && c === 'news'));
    if (denied.length > 0) throw new ForbiddenError(`not yours: ${denied.join(', ')}`);
  }
}

@Controller('app')
class AppController {
  @Get('ping')
  ping(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [AppController] })
class HostModule {}

describe('the HTTP API mounted in a host application', () => {
  let app: INestApplication;
  let url: string;
  let authorizer: SessionAuthorizer;
  const streams: TestStream[] = [];

  beforeAll(async () => {
    authorizer = new SessionAuthorizer();
    const moduleRef = await Test.createTestingModule({
      imports: [SseModule.forRoot({ http: { prefix: '/sse/', authorizer } }), HostModule],
    }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'], bodyParser: false });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterEach(() => streams.splice(0).forEach((s) => s.close()));
  afterAll(() => app.close());

  it('serves every route under the prefix, and nothing at the root', async () => {
    expect((await request('GET', `${url}/app/ping`)).body).toEqual({ ok: true });
    const published = await post(`${url}/sse/channels/user.alice/events`, { data: { n: 1 } }, { 'x-user': 'alice' });
    expect(published.status).toBe(201);
    const history = await request('GET', `${url}/sse/channels/user.alice/events`, { headers: { accept: 'application/json', 'x-user': 'alice' } });
    expect(history.body.events).toEqual([expect.objectContaining({ id: published.body.id, data: { n: 1 } })]);
    expect((await post(`${url}/channels/user.alice/events`, { data: 1 }, { 'x-user': 'alice' })).status).toBe(404);
  });

  it('lets the authorizer allow, and refuse with 401 and 403 as JSON', async () => {
    expect((await post(`${url}/sse/channels/user.bob/events`, { data: 1 }, { 'x-user': 'alice' })).body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'not yours: user.bob',
    });
    const anonymous = await post(`${url}/sse/channels/news/events`, { data: 1 });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.message).toBe('log in first');
    const revoked = await request('GET', `${url}/sse/channels/news/events`, { headers: { accept: 'application/json', 'x-user': 'mallory' } });
    expect(revoked.status).toBe(401);
    expect(revoked.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    // Reading news is allowed, publishing to it is not.
    expect((await post(`${url}/sse/channels/news/events`, { data: 1 }, { 'x-user': 'alice' })).status).toBe(403);
  });

  it('streams with the prefix, and answers sync with a url under it', async () => {
    const sync = await request('POST', `${url}/sse/sync`, { json: { channel: 'user.carol' }, headers: { 'x-user': 'carol' } });
    expect(sync.status).toBe(200);
    expect(sync.body.url).toMatch(/^\/sse\/channels\/user\.carol\/events\?lastEventId=/);
    const stream = await openStream(`${url}${sync.body.url}`, { 'x-user': 'carol' });
    streams.push(stream);
    expect(stream.status).toBe(200);
    const sent = await post(`${url}/sse/channels/user.carol/events`, { data: 'hi' }, { 'x-user': 'carol' });
    const [event] = await stream.waitForEvents(1);
    expect(event).toMatchObject({ data: '"hi"', lastEventId: sent.body.id });
    expect(authorizer.seen).toContainEqual(expect.objectContaining({ action: 'subscribe', channels: ['user.carol'], stream: true }));
    expect((await openStream(`${url}/sse/channels/user.carol/events`, { 'x-user': 'dave' })).status).toBe(403);
  });
});
