import { RedisBroker, type RedisBrokerOptions } from '../../src/sse/broker/redis.broker.js';

/** A logger that keeps the test output clean. */
export const quietLogger = { log() {}, warn() {}, error() {} };

/**
 * RedisBrokers for one test file: each on its own key prefix (so tests never see each
 * other's events), connected, and closed after every test.
 */
export function redisBrokers(url: () => string, tag: string) {
  let counter = 0;
  const unique = () => `${tag}${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  const opened: RedisBroker[] = [];
  const closeAll = async () => {
    await Promise.all(opened.splice(0).map((b) => b.close()));
  };
  afterEach(closeAll);
  const open = async (overrides: Partial<RedisBrokerOptions> = {}): Promise<RedisBroker> => {
    const broker = new RedisBroker({ url: url(), historyLimit: 100, keyPrefix: `${unique()}:`, logger: quietLogger, ...overrides });
    opened.push(broker);
    await broker.connect();
    return broker;
  };
  /** `closeAll` for a nested suite that must close its brokers before its own teardown. */
  return { unique, open, closeAll };
}
