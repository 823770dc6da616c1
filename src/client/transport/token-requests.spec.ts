import { jest } from '@jest/globals';
import { answerToken, TokenRequests } from './token-requests.js';

describe('TokenRequests', () => {
  afterEach(() => jest.useRealTimers());

  it('numbers each request and resolves it with its own answer, in any order', async () => {
    const requests = new TokenRequests(1000);
    const sent: number[] = [];
    const first = requests.ask((req) => sent.push(req));
    const second = requests.ask((req) => sent.push(req));
    expect(sent).toEqual([1, 2]);
    requests.settle(2, { token: 'b' });
    requests.settle(1, { token: 'a' });
    requests.settle(1, { token: 'late' }); // already settled: ignored
    await expect(first).resolves.toBe('a');
    await expect(second).resolves.toBe('b');
  });

  it("rejects with the tab's reason, when nobody answers in time, and when the tab is gone", async () => {
    jest.useFakeTimers();
    const requests = new TokenRequests(1000);
    const refused = requests.ask(() => undefined);
    requests.settle(1, { error: 'login needed' });
    await expect(refused).rejects.toThrow('login needed');

    const silent = requests.ask(() => undefined);
    jest.advanceTimersByTime(999);
    requests.settle(99, { token: 'for nobody' });
    jest.advanceTimersByTime(1);
    await expect(silent).rejects.toThrow('did not answer in time');

    const fromA = requests.ask(() => undefined, 'tab-a');
    const fromB = requests.ask(() => undefined, 'tab-b');
    requests.abandon('tab-a');
    await expect(fromA).rejects.toThrow('is gone');
    requests.settle(4, { token: 'b' });
    await expect(fromB).resolves.toBe('b');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('fails a request whose message cannot be sent', async () => {
    const requests = new TokenRequests(1000);
    await expect(requests.ask(() => { throw new Error('port closed'); })).rejects.toThrow('port closed');
  });
});

describe('answerToken', () => {
  it("carries getToken's token or its failure as data that crosses postMessage", async () => {
    await expect(answerToken(() => 't1')).resolves.toEqual({ token: 't1' });
    await expect(answerToken(async () => 't2')).resolves.toEqual({ token: 't2' });
    await expect(answerToken(() => Promise.reject(new Error('expired session')))).resolves.toEqual({ error: 'expired session' });
    await expect(answerToken(() => { throw new Error('sync throw'); })).resolves.toEqual({ error: 'sync throw' });
    await expect(answerToken(undefined)).resolves.toEqual({ error: 'this client has no getToken option' });
  });
});
