// One subscriber process of the network-drop run (forked by network-drop.mjs): opens its share
// of the clients with the `eventsource` npm package (a real EventSource: it reconnects by itself
// after the `retry:` the server sent, with `Last-Event-ID`), and keeps, per client, every event
// id it got, its duplicates and order violations, resets and reconnects.
//
// Messages in: `{ cmd: 'open', url, channels, offset, count }` (client i of the run is
// `offset + i`, on channel `channels[(offset + i) % channels.length]`), `{ cmd: 'progress' }`,
// `{ cmd: 'report', accepted: { [channel]: ids[] } }`, `{ cmd: 'close' }`.
// Messages out: `{ connected }` once every client got its first `sse.connected`, `{ progress }`,
// `{ report }`.
import { EventSource } from 'eventsource';

/** `<ms>-<seq>.<epoch>` as two numbers, compared in the stream's order. */
const parseId = (id) => {
  const dash = id.indexOf('-');
  const dot = id.indexOf('.', dash);
  return [Number(id.slice(0, dash)), Number(id.slice(dash + 1, dot))];
};
const after = (a, b) => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);

// Publish-to-receive lag, in buckets of 1 ms up to 100 ms, then 10 ms up to 10 s, then one.
const LAG_BUCKETS = 100 + 990 + 1;
const lagBucket = (ms) => (ms < 100 ? Math.max(0, Math.floor(ms)) : ms < 10_000 ? 100 + Math.floor((ms - 100) / 10) : LAG_BUCKETS - 1);

const clients = [];
let connectedSent = false;

function openClient(url, channel) {
  const client = { channel, seen: new Set(), last: null, received: 0, duplicates: 0, orderViolations: 0, resets: 0, opens: 0, errors: 0, connected: false, lag: new Uint32Array(LAG_BUCKETS) };
  const source = new EventSource(url.replace('{channel}', channel));
  client.source = source;
  source.addEventListener('open', () => client.opens++);
  source.addEventListener('error', () => client.errors++);
  source.addEventListener('sse.connected', () => {
    if (client.connected) return;
    client.connected = true;
    if (!connectedSent && clients.every((c) => c.connected)) {
      connectedSent = true;
      process.send({ connected: clients.length });
    }
  });
  source.addEventListener('reset', () => client.resets++);
  source.addEventListener('message', (event) => {
    const id = event.lastEventId;
    if (client.seen.has(id)) {
      client.duplicates++;
      return;
    }
    client.seen.add(id);
    client.received++;
    const position = parseId(id);
    if (client.last && !after(position, client.last)) client.orderViolations++;
    else client.last = position;
    const sentAt = JSON.parse(event.data).t;
    if (typeof sentAt === 'number') client.lag[lagBucket(Date.now() - sentAt)]++;
  });
  return client;
}

function report(accepted) {
  const perClient = clients.map((c) => {
    const expected = accepted[c.channel] ?? [];
    let delivered = 0;
    for (const id of expected) if (c.seen.has(id)) delivered++;
    return {
      expected: expected.length,
      delivered,
      unexpected: c.received - delivered,
      duplicates: c.duplicates,
      orderViolations: c.orderViolations,
      resets: c.resets,
      reconnects: Math.max(0, c.opens - 1),
      gaveUp: c.source.readyState === 2 ? 1 : 0,
    };
  });
  const lag = new Array(LAG_BUCKETS).fill(0);
  for (const c of clients) for (let i = 0; i < LAG_BUCKETS; i++) lag[i] += c.lag[i];
  return { perClient, lag };
}

process.on('message', (message) => {
  if (message.cmd === 'open') {
    for (let i = 0; i < message.count; i++) {
      const n = message.offset + i;
      clients.push(openClient(message.url, message.channels[n % message.channels.length]));
    }
  } else if (message.cmd === 'progress') {
    process.send({ progress: clients.reduce((sum, c) => sum + c.received, 0), connected: clients.filter((c) => c.source.readyState === 1).length });
  } else if (message.cmd === 'report') {
    process.send({ report: report(message.accepted) });
  } else if (message.cmd === 'close') {
    for (const c of clients) c.source.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
