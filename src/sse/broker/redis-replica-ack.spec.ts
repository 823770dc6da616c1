import type { Redis } from 'ioredis';
import { BrokerUnavailableError } from '../errors/index.js';
import { ReplicaAcks } from './redis-replica-ack.js';

/** Records what is sent on the connection, in order; WAITs answer when the test says so. */
function fakeConnection() {
  const sent: string[] = [];
  const waits: ((acked: number) => void)[] = [];
  const closeListeners: (() => void)[] = [];
  const conn = {
    on: (event: string, listener: () => void) => {
      if (event === 'close') closeListeners.push(listener);
    },
    close: () => closeListeners.forEach((listener) => listener()),
    wait: (replicas: number, timeoutMs: number) => {
      sent.push(`WAIT ${replicas} ${timeoutMs}`);
      return new Promise<number>((resolve) => waits.push(resolve));
    },
    publish: (channel: string, message: string) => {
      sent.push(`PUBLISH ${channel} ${JSON.stringify(message)}`);
      return Promise.resolve(0);
    },
  };
  return { conn: conn as unknown as Redis, sent, waits };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('ReplicaAcks', () => {
  it('resolves when WAIT reports enough replicas, and refuses with a 503 when it reports fewer', async () => {
    const { conn, sent, waits } = fakeConnection();
    const acks = new ReplicaAcks(conn, 2, 300, 'sse:replica-ack');
    const enough = acks.confirm(false);
    waits[0]!(2);
    await expect(enough).resolves.toBeUndefined();
    const short = acks.confirm(false);
    await flush();
    waits[1]!(1);
    const error = await short.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerUnavailableError);
    expect((error as BrokerUnavailableError).status).toBe(503);
    expect((error as Error).message).toBe(
      'the event could not be confirmed as stored (Redis stored the event but only 1 of the 2 replica(s) required confirmed it within 300 ms, so a failover could lose it; it may still be delivered); retry with the same Idempotency-Key',
    );
    expect(sent).toEqual(['WAIT 2 300', 'WAIT 2 300']);
  });

  it('never joins a WAIT already out; callers meanwhile share the next one, sent when it answers', async () => {
    const { conn, sent, waits } = fakeConnection();
    const acks = new ReplicaAcks(conn, 1, 500, 'b');
    const first = acks.confirm(false);
    const joined = [acks.confirm(false), acks.confirm(false), acks.confirm(false)];
    await flush();
    expect(sent).toEqual(['WAIT 1 500']); // one out, the next held back
    let settled = 0;
    for (const p of joined) void p.then(() => settled++);
    waits[0]!(1);
    await first;
    await flush();
    expect(settled).toBe(0); // the first WAIT may have run before their writes
    expect(sent).toEqual(['WAIT 1 500', 'WAIT 1 500']);
    // A caller arriving while the second is out waits for a third.
    const late = acks.confirm(false);
    waits[1]!(1);
    await Promise.all(joined);
    await flush();
    expect(sent).toHaveLength(3);
    waits[2]!(1);
    await late;
  });

  it('moves the connection offset with a PUBLISH first when the publish found an earlier event', async () => {
    const { conn, sent, waits } = fakeConnection();
    const acks = new ReplicaAcks(conn, 1, 500, 'sse:replica-ack');
    const found = acks.confirm(true);
    await flush();
    waits[0]!(1);
    await found;
    expect(sent).toEqual(['PUBLISH sse:replica-ack ""', 'WAIT 1 500']);
  });

  it('refuses when the connection closed between the write and its WAIT (the WAIT ran on another connection)', async () => {
    const { conn, waits } = fakeConnection();
    const acks = new ReplicaAcks(conn, 1, 500, 'b');
    const first = acks.confirm(false);
    const second = acks.confirm(false); // its WAIT goes out after the reconnect
    (conn as unknown as { close(): void }).close();
    waits[0]!(1);
    await expect(first).rejects.toThrow('the connection to Redis was lost before replicas confirmed the event');
    await flush();
    waits[1]!(1);
    await expect(second).rejects.toBeInstanceOf(BrokerUnavailableError);
    // A write made on the new connection is confirmed by a WAIT on it.
    const third = acks.confirm(false);
    await flush();
    waits[2]!(1);
    await expect(third).resolves.toBeUndefined();
  });

  it('sends the next WAIT even when the one out failed (a dropped connection)', async () => {
    const { conn, sent } = fakeConnection();
    let reject!: (error: Error) => void;
    (conn as unknown as { wait: () => Promise<number> }).wait = () => {
      sent.push('WAIT');
      return new Promise<number>((_, r) => (reject = r));
    };
    const acks = new ReplicaAcks(conn, 1, 500, 'b');
    const first = acks.confirm(false);
    const second = acks.confirm(false);
    reject(new Error('Connection is closed.'));
    await expect(first).rejects.toThrow('Connection is closed.');
    await flush();
    expect(sent).toEqual(['WAIT', 'WAIT']);
    reject(new Error('again'));
    await expect(second).rejects.toThrow('again');
  });
});
