import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runGatewayExpectingExit, startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { openStream, post, request } from './support/sse-client.js';
import { escalate, TEST_SECRET } from './support/tokens.js';

// The built gateway as a deployment runs it: what it says at start, that no token ever
// reaches its log, and the token script for local work.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function tokenScript(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts/token.mjs'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr };
}

describe('gateway process security', () => {
  const processes: GatewayProcess[] = [];
  afterAll(() => Promise.all(processes.map((p) => p.stop())));
  const start = async (env: Record<string, string>) => {
    const gateway = await startGatewayProcess(env);
    processes.push(gateway);
    return gateway;
  };

  it('says loudly at start that it runs open when no key is set', async () => {
    const gateway = await start({});
    expect(gateway.output()).toContain(
      'AUTHORIZATION IS OFF: anyone who reaches this port may publish to and subscribe to every channel.',
    );
    expect(gateway.output()).toMatch(/listening on 127\.0\.0\.1:\d+ \(in-memory broker, AUTHORIZATION OFF\)/);
    expect((await post(`${gateway.url}/channels/open/events`, { data: 1 })).status).toBe(201);
  });

  it('works with a token from npm run token, and never logs a token', async () => {
    const gateway = await start({ SSE_JWT_SECRET: TEST_SECRET, SSE_ACCESS_LOG: 'true', SSE_HEARTBEAT_MS: '60000' });
    expect(gateway.output()).toContain('authorization on (HS256 secret); public channels: none');
    expect(gateway.output()).not.toMatch(/AUTHORIZATION (IS )?OFF/);

    const made = tokenScript(['--publish', 'orders.*', '--subscribe', 'orders.*', '--ttl', '1h'], { SSE_JWT_SECRET: TEST_SECRET });
    expect(made.status).toBe(0);
    const token = made.stdout;
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ sse: { publish: ['orders.*'], subscribe: ['orders.*'] }, sub: 'local-user' });
    expect(claims.exp - claims.iat).toBe(3600);

    const auth = { authorization: `Bearer ${token}` };
    expect((await post(`${gateway.url}/channels/orders.eu/events`, { data: 1 }, auth)).status).toBe(201);
    expect((await post(`${gateway.url}/channels/billing/events`, { data: 1 }, auth)).status).toBe(403);
    const stream = await openStream(`${gateway.url}/channels/orders.eu/events?lastEventId=0&token=${token}`);
    expect(stream.status).toBe(200);
    stream.close();
    const bad = await openStream(`${gateway.url}/events?channel=orders.eu&token=${escalate(token)}`);
    expect(bad.status).toBe(401);
    bad.close();
    const sync = await post(`${gateway.url}/sync`, { channel: 'orders.eu' }, auth);
    const synced = await openStream(`${gateway.url}${sync.body.url}`);
    expect(synced.status).toBe(200);
    synced.close();
    await request('GET', `${gateway.url}/channels/orders.eu/events?token=${token}`, { headers: { accept: 'application/json', cookie: `sse_token=${token}` } });
    await gateway.stop();

    const log = gateway.output();
    const streamToken = new URL(sync.body.url, gateway.url).searchParams.get('token')!;
    // Every request left its line, with the tokens cut out.
    expect(log).toMatch(/127\.0\.0\.1 GET \/channels\/orders\.eu\/events\?lastEventId=0&token=\[REDACTED\] 200 \d+ms/);
    expect(log).toMatch(/127\.0\.0\.1 GET \/events\?channel=orders\.eu&token=\[REDACTED\] 401 \d+ms/);
    expect(log).toMatch(/127\.0\.0\.1 GET \/channels\/orders\.eu\/events\?lastEventId=[^ ]+&token=\[REDACTED\] 200 \d+ms/);
    for (const secret of [token, escalate(token), streamToken, TEST_SECRET]) {
      for (const part of secret.split('.')) expect(log).not.toContain(part);
    }
  });

  it('warns when stream urls would verify on this instance only', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const gateway = await start({ SSE_JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    expect(gateway.output()).toContain('authorization on (ES256 public key)');
    expect(gateway.output()).toContain('SSE_STREAM_TOKEN_SECRET is not set and cannot be derived');
  });

  it('refuses to start with a weak secret, naming it', async () => {
    const { code, output } = await runGatewayExpectingExit({ SSE_JWT_SECRET: 'short', SSE_CORS_ORIGINS: 'evil' });
    expect(code).toBe(1);
    expect(output).toContain('SSE_JWT_SECRET must be at least 32 bytes');
    expect(output).toContain('SSE_CORS_ORIGINS: "evil" is not an origin like https://app.example.com');
  });

  it('token script: explains bad arguments and a missing secret', () => {
    const badTtl = tokenScript(['--ttl', 'forever'], { SSE_JWT_SECRET: TEST_SECRET });
    expect(badTtl.status).toBe(2);
    expect(badTtl.stderr).toContain('--ttl "forever": use a number of seconds or 30s, 15m, 1h, 7d');
    const noSecret = tokenScript(['--publish', 'a']);
    expect(noSecret.status).toBe(2);
    expect(noSecret.stderr).toContain('set SSE_JWT_SECRET');
    const withSub = tokenScript(['--subscribe', 'user.{sub}', '--sub', 'alice', '--ttl', '30s', '--aud', 'x'], { SSE_JWT_SECRET: TEST_SECRET });
    const claims = JSON.parse(Buffer.from(withSub.stdout.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ sub: 'alice', aud: 'x', sse: { publish: [], subscribe: ['user.{sub}'] } });
    expect(claims.exp - claims.iat).toBe(30);
  });
});
