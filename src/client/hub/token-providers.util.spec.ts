import { TokenUnavailableError } from '../errors/token-unavailable.error.js';
import { firstToken } from './token-providers.util.js';

describe('firstToken', () => {
  it('asks the providers in turn and takes the first token, asking no further', async () => {
    const asked: string[] = [];
    const provider = (name: string, answer: () => Promise<string>) => () => {
      asked.push(name);
      return answer();
    };
    const token = await firstToken([
      provider('frozen tab', () => Promise.reject(new Error('did not answer'))),
      provider('empty', () => Promise.resolve('')),
      provider('good', () => Promise.resolve('tok')),
      provider('never', () => Promise.resolve('other')),
    ]);
    expect(token).toBe('tok');
    expect(asked).toEqual(['frozen tab', 'empty', 'good']);
  });

  it('asks a provider that several subscriptions share once', async () => {
    let calls = 0;
    const shared = () => {
      calls += 1;
      return Promise.reject(new Error('login pending'));
    };
    await expect(firstToken([shared, shared, shared])).rejects.toThrow('no token: login pending');
    expect(calls).toBe(1);
  });

  it("fails with the last provider's reason, or says there was none", async () => {
    await expect(firstToken([() => Promise.reject(new Error('a')), () => Promise.reject(new Error('b'))])).rejects.toThrow('no token: b');
    const none = firstToken([]);
    await expect(none).rejects.toBeInstanceOf(TokenUnavailableError);
    await expect(none).rejects.toThrow('no token: no subscriber of this stream can give a token');
  });
});
