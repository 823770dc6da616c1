import { redactUrl } from './redact-url.util.js';

describe('redactUrl', () => {
  it.each([
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['redis://:secret@127.0.0.1:6379/0', 'redis://:***@127.0.0.1:6379/0'],
    ['rediss://user:s3cr:et@host:6380', 'rediss://user:***@host:6380'],
    ['redis+cluster://user:pw@h1:7000,h2:7001', 'redis+cluster://user:***@h1:7000,h2:7001'],
    ['redis+cluster://h1:7000,h2:7001', 'redis+cluster://h1:7000,h2:7001'],
  ])('%s -> %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
