import { SignJWT } from 'jose';
import type { IncomingMessage } from 'node:http';
import { loadGatewayConfig } from '../../config/gateway.config.js';
import { ForbiddenError } from './forbidden.error.js';
import { JoseTokenVerifier } from './jose-token.verifier.js';
import { JwtChannelAuthorizer } from './jwt-channel.authorizer.js';
import { StreamTokenService } from './stream-token.service.js';
import { UnauthorizedError } from './unauthorized.error.js';

// The authorizer with its real verifier and stream tokens (no doubles): the decisions, one by one.
const SECRET = 'unit-secret-unit-secret-unit-secret-0123';
const config = loadGatewayConfig({ SSE_JWT_SECRET: SECRET, SSE_PUBLIC_CHANNELS: 'news.*' });
const streamTokens = new StreamTokenService(config);
const authorizer = new JwtChannelAuthorizer(new JoseTokenVerifier(config), streamTokens, config);
const ALL = ['header', 'query', 'cookie'] as const;

const sign = (claims: Record<string, unknown>, sub = 'alice') =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
const bearer = (token: string, query: Record<string, unknown> = {}) =>
  ({ headers: { authorization: `Bearer ${token}` }, query }) as unknown as IncomingMessage & { query: Record<string, unknown> };

describe('JwtChannelAuthorizer', () => {
  it('lets a grant publish and subscribe where its patterns say', async () => {
    const grant = await authorizer.authenticate(bearer(await sign({ sse: { publish: ['orders.*'], subscribe: ['user.{sub}'] } })), ALL, { streamTokens: false });
    expect(grant).toMatchObject({ subject: 'alice', expiresAt: expect.any(Number) });
    expect(() => authorizer.authorize(grant, 'publish', ['orders.eu'], ['header'])).not.toThrow();
    expect(() => authorizer.authorize(grant, 'publish', ['user.alice'], ['header'])).toThrow(ForbiddenError);
    expect(() => authorizer.authorize(grant, 'subscribe', ['user.alice', 'news.today'], ALL)).not.toThrow();
    expect(() => authorizer.authorize(grant, 'subscribe', ['user.alice', 'orders.eu'], ALL)).toThrow('the token does not allow subscribing to "orders.eu"');
  });

  it('needs a token to publish, and to subscribe to anything not public', () => {
    expect(() => authorizer.authorize(undefined, 'publish', ['news.today'], ['header'])).toThrow(UnauthorizedError);
    expect(() => authorizer.authorize(undefined, 'subscribe', ['news.today'], ALL)).not.toThrow();
    expect(() => authorizer.authorize(undefined, 'sync', ['news.today', 'news.sport'], ALL)).not.toThrow();
    expect(() => authorizer.authorize(undefined, 'subscribe', ['news.today', 'orders'], ALL)).toThrow(UnauthorizedError);
  });

  it('lets a stream token open exactly its channels at its position, and nothing else', async () => {
    const parent = await authorizer.authenticate(bearer(await sign({ sse: { subscribe: ['**'] } })), ALL, { streamTokens: false });
    const token = await streamTokens.issue(parent!, ['a', 'b'], 'pos-1');
    const grant = await authorizer.authenticate(bearer(token), ALL, { streamTokens: true });
    expect(grant?.stream).toEqual({ channels: ['a', 'b'], position: 'pos-1' });
    expect(grant?.expiresAt).toBe(parent!.expiresAt);
    expect(() => authorizer.authorize(grant, 'subscribe', ['b', 'a'], ALL, 'pos-1')).not.toThrow();
    expect(() => authorizer.authorize(grant, 'subscribe', ['a'], ALL, 'pos-1')).toThrow('this stream token was issued for other channels');
    expect(() => authorizer.authorize(grant, 'subscribe', ['a', 'b'], ALL, 'pos-2')).toThrow('another position');
    expect(() => authorizer.authorize(grant, 'publish', ['a'], ['header'])).toThrow(ForbiddenError);
    await expect(authorizer.authenticate(bearer(token), ALL, { streamTokens: false })).rejects.toThrow('a stream token only opens the stream it was issued for');
  });

  it('never lets a stream token outlive the token it came from', async () => {
    const parent = { subject: 'x', expiresAt: Date.now() + 10_000, canPublish: () => false, canSubscribe: () => true };
    const token = await streamTokens.issue(parent, ['a'], undefined);
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(exp).toBeLessThanOrEqual(Math.floor(parent.expiresAt / 1000));
  });
});
