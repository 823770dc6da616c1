#!/usr/bin/env node
// Prints a token for local work:
//   SSE_JWT_SECRET=… npm run token -- --publish 'orders.*' --subscribe 'orders.*' --ttl 1h [--sub alice]
// HS256 with SSE_JWT_SECRET (or --secret); RS256/ES256 with --private-key key.pem [--alg ES256].
// Audience and issuer default to SSE_JWT_AUDIENCE and SSE_JWT_ISSUER, as the gateway checks them.
import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';

const USAGE = `usage: npm run token -- [--publish PATTERN]… [--subscribe PATTERN]… [--ttl 1h] [--sub SUBJECT]
                        [--aud AUDIENCE] [--iss ISSUER] [--secret S | --private-key FILE [--alg RS256|ES256]]`;

function fail(message) {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      publish: { type: 'string', multiple: true, default: [] },
      subscribe: { type: 'string', multiple: true, default: [] },
      ttl: { type: 'string', default: '1h' },
      sub: { type: 'string', default: 'local-user' },
      aud: { type: 'string' },
      iss: { type: 'string' },
      secret: { type: 'string' },
      'private-key': { type: 'string' },
      alg: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  fail(error.message);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const ttl = /^(\d+)(s|m|h|d)?$/.exec(args.ttl);
if (!ttl || Number(ttl[1]) <= 0) fail(`--ttl ${JSON.stringify(args.ttl)}: use a number of seconds or 30s, 15m, 1h, 7d`);
const ttlSeconds = Number(ttl[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[ttl[2] ?? 's'];
const split = (list) => list.flatMap((item) => item.split(',')).map((p) => p.trim()).filter(Boolean);
const claims = { sse: { publish: split(args.publish), subscribe: split(args.subscribe) } };

let key;
let alg;
if (args['private-key']) {
  key = createPrivateKey(readFileSync(args['private-key'], 'utf8'));
  alg = args.alg ?? (key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256');
} else {
  const secret = args.secret ?? process.env.SSE_JWT_SECRET;
  if (!secret) fail('set SSE_JWT_SECRET (the value the gateway runs with), or pass --secret or --private-key');
  if (Buffer.byteLength(secret) < 32) fail('the secret must be at least 32 bytes, as the gateway requires');
  key = new TextEncoder().encode(secret);
  alg = 'HS256';
}

const now = Math.floor(Date.now() / 1000);
const jwt = new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).setSubject(args.sub).setIssuedAt(now).setExpirationTime(now + ttlSeconds);
const audience = args.aud ?? process.env.SSE_JWT_AUDIENCE;
const issuer = args.iss ?? process.env.SSE_JWT_ISSUER;
if (audience) jwt.setAudience(audience);
if (issuer) jwt.setIssuer(issuer);
process.stdout.write(`${await jwt.sign(key)}\n`);
