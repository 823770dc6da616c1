#!/usr/bin/env node
// What scripts/bench/measure.sh adds to the harness's summary (peers/summarize.mjs, run first):
// the publish case (p), and this gateway against nchan in the same run, as ratios (issue 11's points).
//   node summarize-extra.mjs RESULTS_DIR
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node summarize-extra.mjs RESULTS_DIR');
  process.exit(2);
}
const runs = {};
for (const file of fs.readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
  const [peer, ...rest] = file.slice(0, -5).split('.');
  (runs[peer] ??= {})[rest.join('.')] = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
}
const median = (xs) => {
  const v = xs.filter((x) => x != null && Number.isFinite(x)).sort((a, b) => a - b);
  return v.length ? (v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) : null;
};
const f = (x, d = 0) => (x == null ? 'n/a' : Number(x).toFixed(d));
const out = [];

// (p) publishes accepted per second: one instance, 64 POSTs in flight, closed loop.
const publishRate = (r) => (r.publish.durationMs > 0 ? (1000 * r.publish.accepted) / r.publish.durationMs : null);
// The publisher is the harness's main process: generator CPU minus its subscriber processes.
const publisherPct = (r) => r.generator.cpuPctOfCoreDuringMeasure - (r.generator.subscriberProcCpuPctDuringMeasure ?? []).reduce((a, x) => a + (x ?? 0), 0);
out.push('', '### (p) publishes: 64 POSTs in flight, closed loop, 64 B, one instance, 16 subscribers on 16 channels', '',
  '| peer | accepted / sent | publishes/s | POST p50 ms | POST p99 ms | server CPU % of a core | server CPU us/publish | publisher (harness) CPU % of a core |',
  '|---|---|---|---|---|---|---|---|');
for (const [peer, cases] of Object.entries(runs)) {
  const r = cases['p-publish'];
  if (!r) continue;
  const p = r.publish;
  const cpuUs = r.server?.cpuSec?.measure != null && p.accepted ? (1e6 * r.server.cpuSec.measure) / p.accepted : null;
  out.push(`| ${peer} | ${p.accepted} / ${p.messages}${p.failed ? ` (failed ${p.failed}: ${JSON.stringify(p.errors)})` : ''} | ${f(publishRate(r))} | ${f(p.httpLatencyMs.p50, 2)} | ${f(p.httpLatencyMs.p99, 2)} | ${f(r.server?.cpuPctOfCoreDuringMeasure)} | ${f(cpuUs, 1)} | ${f(publisherPct(r))} |`);
}
out.push('', 'A publisher near 100% of its core set the pace: then publishes/s is a lower bound for the server.');

// This gateway against nchan, as issue 11 states its targets: each figure beside the peer's of this run.
const bRuns = (peer) => Object.entries(runs[peer] ?? {}).filter(([k]) => /^b-tput-\d+(-r\d+)?$/.test(k)).map(([, r]) => r);
const usPerEvent = (r) => (r.server?.cpuSec?.measure != null && r.delivery.received ? (1e6 * r.server.cpuSec.measure) / r.delivery.received : null);
const figures = {
  'server CPU per delivered event, b (us)': (peer) => median(bRuns(peer).map(usPerEvent)),
  'delivered events/s, b': (peer) => median(bRuns(peer).map((r) => r.delivery.eventsPerSec)),
  'peak RSS during b (MiB)': (peer) => median(bRuns(peer).map((r) => (r.server?.rssKB?.peak ?? null) / 1024)),
  'memory per idle connection, c (KiB)': (peer) => {
    const c = Object.entries(runs[peer] ?? {}).find(([k]) => k.startsWith('c-mem'));
    return c?.[1].server?.memPerConnBytes != null ? c[1].server.memPerConnBytes / 1024 : null;
  },
  'p99 latency, a (ms)': (peer) => runs[peer]?.['a-latency']?.delivery.latencyMs.p99 ?? null,
  'connections held, d': (peer) => runs[peer]?.['d-maxconn']?.connections.countedForDelivery ?? null,
  'publishes/s, p': (peer) => (runs[peer]?.['p-publish'] ? publishRate(runs[peer]['p-publish']) : null),
};
const pairs = [
  ['server CPU per delivered event, b (us)', 'project-memory', 'nchan-memory'],
  ['server CPU per delivered event, b (us)', 'project-redis', 'nchan-redis'],
  ['delivered events/s, b', 'project-memory', 'nchan-memory'],
  ['delivered events/s, b', 'project-redis', 'nchan-redis'],
  ['delivered events/s, b', 'project-cluster', 'project-redis'],
  ['peak RSS during b (MiB)', 'project-memory', 'nchan-memory'],
  ['memory per idle connection, c (KiB)', 'project-memory', 'nchan-memory'],
  ['memory per idle connection, c (KiB)', 'project-redis', 'nchan-redis'],
  ['p99 latency, a (ms)', 'project-redis-3', 'nchan-redis'],
  ['p99 latency, a (ms)', 'project-redis', 'nchan-redis'],
  ['connections held, d', 'project-memory', 'nchan-memory'],
  ['connections held, d', 'project-cluster', 'nchan-memory-3w'],
  ['publishes/s, p', 'project-redis', 'nchan-redis'],
  // The floors run only when named in PEERS: their rows only when both sides ran.
  ['publishes/s, p', 'floor-node', 'nchan-redis', 'both'],
  ['publishes/s, p', 'floor-nest', 'nchan-redis', 'both'],
  ['publishes/s, p', 'project-redis', 'floor-node', 'both'],
];
out.push('', '### this gateway against its peer in this run', '', '| figure | ours | value | peer | value | ratio (ours / peer) |', '|---|---|---|---|---|---|');
for (const [figure, ours, peer, needs] of pairs) {
  const a = runs[ours] ? figures[figure](ours) : null;
  const b = runs[peer] ? figures[figure](peer) : null;
  if (needs === 'both' ? a == null || b == null : a == null && b == null) continue;
  const digits = a != null && a < 100 ? 1 : 0;
  out.push(`| ${figure} | ${ours} | ${f(a, digits)} | ${peer} | ${f(b, digits)} | ${a != null && b ? `${(a / b).toFixed(2)}x` : 'n/a'} |`);
}
out.push('', 'project-redis-3: subscribers on two instances (two workers sharing one port), the publisher on a third, all on one Redis.',
  'project-cluster: `npm run start:cluster`, one worker per core (case d: as many as the per-process fd limit needs), the pool primary and Redis included in the server figures.');
if (runs['floor-node'] || runs['floor-nest']) {
  out.push('floor-node, floor-nest (case p only): this gateway\'s Redis broker behind `node:http` alone, and behind a minimal Nest app on Express (scripts/bench/publish-floor.mjs): no authorization, limits, CORS or metrics, so the gap to project-redis is what the request pipeline costs.');
}
const notes = path.join(dir, 'NOTES.md');
if (fs.existsSync(notes)) out.push('', fs.readFileSync(notes, 'utf8').trim());
console.log(out.join('\n'));
