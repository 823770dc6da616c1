#!/usr/bin/env node
// A TCP proxy that drops random client connections, the way a flaky network, a mobile hand-over
// or a restarting middlebox does: every connection is relayed byte for byte to the target, and
// while cutting is on, `perSecond` times a second one connection picked at random is reset
// (TCP RST on both sides, no FIN: neither end gets a clean close). Node `net` only.
//
//   node scripts/bench/drop-proxy.mjs --target 127.0.0.1:3000 [--port 0] [--cuts-per-sec 5]
//
// Forked (`child_process.fork`), it reports `{ ready: port }` and takes messages:
// `{ cmd: 'cut', perSecond }`, `{ cmd: 'stop-cutting' }`, `{ cmd: 'stats' }` (answers
// `{ stats }`), `{ cmd: 'close' }`.
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/**
 * Starts the proxy on 127.0.0.1:`port` (0: a free one) in front of `target` (`host:port`).
 * Returns `{ port, cut(perSecond), stopCutting(), stats(), close() }`; `stats()` gives
 * `{ open, accepted, cuts, bytesToClients, bytesToTarget }`.
 */
export async function startDropProxy({ target, port = 0 }) {
  const [targetHost, targetPort] = splitHostPort(target);
  // Open pairs in an array with swap-remove, so a random pick and a removal are O(1).
  const open = [];
  const counts = { accepted: 0, cuts: 0, bytesToClients: 0, bytesToTarget: 0 };
  let timer = null;

  const remove = (pair) => {
    if (pair.index < 0) return;
    const last = open.pop();
    if (last !== pair) {
      open[pair.index] = last;
      last.index = pair.index;
    }
    pair.index = -1;
  };

  const server = net.createServer((client) => {
    counts.accepted++;
    client.setNoDelay(true);
    const upstream = net.connect(targetPort, targetHost);
    upstream.setNoDelay(true);
    const pair = { client, upstream, index: open.length };
    open.push(pair);
    const end = () => {
      remove(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => (counts.bytesToTarget += chunk.length));
    upstream.on('data', (chunk) => (counts.bytesToClients += chunk.length));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  server.maxConnections = 100_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });

  const cutOne = () => {
    if (open.length === 0) return;
    const pair = open[Math.floor(Math.random() * open.length)];
    remove(pair);
    counts.cuts++;
    pair.client.resetAndDestroy();
    pair.upstream.resetAndDestroy();
  };

  return {
    port: server.address().port,
    cut(perSecond) {
      clearInterval(timer);
      timer = perSecond > 0 ? setInterval(cutOne, 1000 / perSecond) : null;
    },
    stopCutting() {
      clearInterval(timer);
      timer = null;
    },
    stats: () => ({ open: open.length, ...counts }),
    close: () =>
      new Promise((resolve) => {
        clearInterval(timer);
        for (const pair of [...open]) {
          pair.client.destroy();
          pair.upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

function splitHostPort(text) {
  const at = String(text).lastIndexOf(':');
  const port = Number(text.slice(at + 1));
  if (at < 1 || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--target must be host:port, got ${JSON.stringify(text)}`);
  return [text.slice(0, at), port];
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const { values } = parseArgs({
    options: { target: { type: 'string' }, port: { type: 'string', default: '0' }, 'cuts-per-sec': { type: 'string', default: '0' } },
  });
  if (!values.target) {
    console.error('usage: drop-proxy.mjs --target host:port [--port N] [--cuts-per-sec R]');
    process.exit(1);
  }
  const proxy = await startDropProxy({ target: values.target, port: Number(values.port) });
  proxy.cut(Number(values['cuts-per-sec']));
  if (process.send) {
    process.on('message', async (message) => {
      if (message.cmd === 'cut') proxy.cut(message.perSecond);
      else if (message.cmd === 'stop-cutting') proxy.stopCutting();
      else if (message.cmd === 'stats') process.send({ stats: proxy.stats() });
      else if (message.cmd === 'close') {
        await proxy.close();
        process.exit(0);
      }
    });
    process.on('disconnect', () => process.exit(0));
    process.send({ ready: proxy.port });
  } else {
    console.log(`drop-proxy on 127.0.0.1:${proxy.port} -> ${values.target}, cutting ${values['cuts-per-sec']}/s`);
    process.on('SIGINT', async () => {
      await proxy.close();
      console.log(JSON.stringify(proxy.stats()));
      process.exit(0);
    });
  }
}
