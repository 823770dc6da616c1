import { redactSecrets } from './redact.util.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('redactSecrets', () => {
  it('redacts tokens in query strings, keeping the rest of the URL', () => {
    expect(redactSecrets(`GET /channels/a/events?lastEventId=1-0.x&token=${JWT}&b=2`)).toBe(
      'GET /channels/a/events?lastEventId=1-0.x&token=[REDACTED]&b=2',
    );
    expect(redactSecrets('/events?token=opaque-secret')).toBe('/events?token=[REDACTED]');
    expect(redactSecrets('/x?access_token=abc def')).toBe('/x?access_token=[REDACTED] def');
    expect(redactSecrets('/x?TOKEN=abc')).toBe('/x?TOKEN=[REDACTED]');
  });

  it('redacts bearer credentials, the token cookie and bare JWTs', () => {
    expect(redactSecrets('authorization: Bearer abc.def-ghi')).toBe('authorization: Bearer [REDACTED]');
    expect(redactSecrets('cookie: a=1; sse_token=xyz; b=2')).toBe('cookie: a=1; sse_token=[REDACTED]; b=2');
    expect(redactSecrets(`failed for ${JWT}!`)).toBe('failed for [REDACTED-JWT]!');
    expect(redactSecrets(`cut ${JWT.slice(0, 30)}`)).toBe('cut [REDACTED-JWT]');
  });

  it('leaves text without secrets alone', () => {
    const line = 'instance gw-1 listening on 127.0.0.1:3000 (in-memory broker) ?lastEventId=5';
    expect(redactSecrets(line)).toBe(line);
  });
});
