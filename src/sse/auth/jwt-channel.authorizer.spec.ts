import { SignJWT } from 'jose';
import type { IncomingMessage } from 'node:http';
import { OptionProblems } from '../errors/invalid-options.error.js';
import type { ChannelAction } from './channel-authorizer.interface.js';
import { ForbiddenError } from './forbidden.error.js';
import { JwtChannelAuthorizer } from './jwt-channel.authorizer.js';
import type { JwtGrant } from './jwt-grant.js';
import { resolveJwtOptions } from './jwt-options.util.js';
import { StreamTokenService } from './stream-token.service.js';
import { UnauthorizedError } from './unauthorized.error.js';

// The authorizer with its real verifier and stream tokens (no doubles): the decisions, one by one.
const SECRET = 'unit-secret-unit-secret-unit-secret-0123';
const options = resolveJwtOptions({ secret: SECRET, publicChannels: ['news.*'] }, new OptionProblems(), 'jwt')!;
const streamTokens = new StreamTokenService(options);
const authorizer = new JwtChannelAuthorizer(options);
const decide = (grant: JwtGrant | undefined, action: ChannelAction, channels: string[], lastEventId?: string) =>
  authorizer.authorize(grant, { action, channels, stream: action !== 'publish', lastEventId });

const sign = (claims: Record<string, unknown>, sub = 'alice') =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
const bearer = (token: string, query: Record<string, unknown> = {}) =>
  ({ headers: { authorization: `Bearer ${token}` }, query }) as unknown as IncomingMessage & { query: Record<string, unknown> };

describe('JwtChannelAuthorizer', () => {
  it('lets a grant publish and subscribe where its patterns say', async () => {
    const grant = await authorizer.authenticate(bearer(await sign({ sse: { publish: ['orders.*'], subscribe: ['user.{sub}'] } })), 'subscribe', false);
    expect(grant).toMatchObject({ subject: 'alice', expiresAt: expect.any(Number) });
    expect(() => decide(grant, 'publish', ['orders.eu'])).not.toThrow();
    expect(() => decide(grant, 'publish', ['user.alice'])).toThrow(ForbiddenError);
    expect(() => decide(grant, 'subscribe', ['user.alice', 'news.today'])).not.toThrow();
    expect(() => decide(grant, 'subscribe', ['user.alice', 'orders.eu'])).toThrow('the token does not allow subscribing to "orders.eu"');
  });

  it('needs a token to publish, and to subscribe to anything not public', () => {
    expect(() => decide(undefined, 'publish', ['news.today'])).toThrow(UnauthorizedError);
    expect(() => decide(undefined, 'subscribe', ['news.today'])).not.toThrow();
    expect(() => decide(undefined, 'sync', ['news.today', 'news.sport'])).not.toThrow();
    expect(() => decide(undefined, 'subscribe', ['news.today', 'orders'])).toThrow(UnauthorizedError);
  });

  it('lets a stream token open exactly its channels at its position, and nothing else', async () => {
    const parent = await authorizer.authenticate(bearer(await sign({ sse: { subscribe: ['**'] } })), 'subscribe', false);
    const token = await streamTokens.issue(parent!, ['a', 'b'], 'pos-1');
    const grant = await authorizer.authenticate(bearer(token), 'subscribe', true);
    // Named by digest, so a token for 32 long channel names stays short.
    expect(grant?.stream).toEqual({ channels: expect.stringMatching(/^[\w-]{43}$/), lastEventId: expect.stringMatching(/^[\w-]{43}$/) });
    expect(token.length).toBeLessThan(500);
    expect(grant?.expiresAt).toBe(parent!.expiresAt);
    expect(() => decide(grant, 'subscribe', ['b', 'a'], 'pos-1')).not.toThrow();
    expect(() => decide(grant, 'subscribe', ['a'], 'pos-1')).toThrow('this stream token was issued for other channels');
    expect(() => decide(grant, 'subscribe', ['a', 'b'], 'pos-2')).toThrow('another position');
    expect(() => decide(grant, 'publish', ['a'])).toThrow(ForbiddenError);
    await expect(authorizer.authenticate(bearer(token), 'subscribe', false)).rejects.toThrow('a stream token only opens the stream it was issued for');
  });

  it('never lets a stream token outlive the token it came from', async () => {
    const parent = { subject: 'x', expiresAt: Date.now() + 10_000, canPublish: () => false, canSubscribe: () => true };
    const token = await streamTokens.issue(parent, ['a'], undefined);
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(exp).toBeLessThanOrEqual(Math.floor(parent.expiresAt / 1000));
  });
});
