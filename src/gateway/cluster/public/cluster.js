// The cluster page: polls GET /cluster as JSON every second and draws it. No framework.
const POLL_MS = 1000;
const HISTORY = 60;

const $ = (id) => document.getElementById(id);
/** Streams of each instance over the last minute, for the trend lines. */
const history = new Map();
let lastOk = 0;

async function poll() {
  try {
    const response = await fetch(location.pathname, { headers: { accept: 'application/json' }, cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json(), response.headers.get('x-instance-id'));
    lastOk = Date.now();
    setStatus('live', 'live');
  } catch (error) {
    setStatus('stale', lastOk ? `stale ${Math.round((Date.now() - lastOk) / 1000)} s` : 'unreachable');
    $('updated').textContent = `cannot read /cluster: ${error.message}`;
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

function setStatus(status, text) {
  $('status').dataset.status = status;
  $('status').textContent = text;
}

function render(view, servedBy) {
  const now = Date.now();
  $('instances').textContent = String(view.instances.length);
  $('total').textContent = view.total.toLocaleString();
  $('mean').textContent = view.mean.toFixed(1);
  $('spread').textContent = view.spread === null ? '—' : `${view.spread.toFixed(2)}×`;
  $('rate').textContent = `${formatRate(view.deliveryRate)}/s`;
  $('updated').textContent = `from ${servedBy ?? view.self} at ${new Date(now).toLocaleTimeString()}`;
  $('shed').textContent = view.shedByThisInstance.toLocaleString();
  renderRebalancing(view.rebalancing, now);

  const seen = new Set();
  for (const instance of view.instances) {
    seen.add(instance.id);
    const points = history.get(instance.id) ?? [];
    points.push(instance.connections);
    if (points.length > HISTORY) points.shift();
    history.set(instance.id, points);
  }
  for (const id of history.keys()) if (!seen.has(id)) history.delete(id);

  const largest = Math.max(1, ...view.instances.map((i) => i.connections));
  const rows = view.instances.map((instance) => row(instance, largest, view.mean, now));
  $('rows').replaceChildren(...rows);
  $('empty').hidden = rows.length > 0;
}

function row(instance, largest, mean, now) {
  const tr = document.createElement('tr');
  tr.dataset.instance = instance.id;
  if (instance.self) tr.classList.add('self');
  const ageMs = Math.max(0, now - instance.seenAt);
  if (ageMs > 3 * POLL_MS) tr.classList.add('stale');

  const bar = document.createElement('div');
  bar.className = 'bar';
  const fill = document.createElement('span');
  fill.style.width = `${(100 * instance.connections) / largest}%`;
  const meanMark = document.createElement('i');
  meanMark.style.left = `${Math.min(100, (100 * mean) / largest)}%`;
  meanMark.title = `cluster mean ${mean.toFixed(1)}`;
  bar.append(fill, meanMark);

  tr.append(
    cell(instance.id, 'mono'),
    cell(instance.connections.toLocaleString(), 'num'),
    cell(bar),
    cell(trend(history.get(instance.id) ?? [])),
    cell(formatRate(instance.deliveryRate), 'num'),
    lagCell(instance.lagMs),
    lagCell(instance.lagMaxMs),
    cell(`${(ageMs / 1000).toFixed(1)} s`, 'num'),
  );
  return tr;
}

function cell(content, className) {
  const td = document.createElement('td');
  if (className) td.className = className;
  if (typeof content === 'string') td.textContent = content;
  else td.append(content);
  return td;
}

function lagCell(ms) {
  const td = cell(ms === null || ms === undefined ? '—' : `${ms.toLocaleString()} ms`, 'num');
  if (ms >= 1000) td.classList.add('lag-bad');
  else if (ms >= 250) td.classList.add('lag-warn');
  return td;
}

/** A small line of the last minute's stream counts. */
function trend(points) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'trend');
  svg.setAttribute('viewBox', `0 0 ${HISTORY - 1} 20`);
  svg.setAttribute('preserveAspectRatio', 'none');
  const top = Math.max(1, ...points);
  const offset = HISTORY - points.length;
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', points.map((p, i) => `${offset + i},${(19 - (18 * p) / top).toFixed(2)}`).join(' '));
  svg.append(line);
  return svg;
}

function renderRebalancing(rebalancing, now) {
  const pill = $('rebalancing');
  pill.dataset.state = rebalancing.state;
  pill.textContent = rebalancing.state;
  const detail =
    rebalancing.state === 'paused' && rebalancing.pausedUntil
      ? `shedding had no effect (the clients came back here); tries again in ${Math.max(0, Math.ceil((rebalancing.pausedUntil - now) / 1000))} s · back-off ${rebalancing.backoffs} in a row`
      : rebalancing.state === 'off'
        ? 'SSE_REBALANCE_RATIO=0'
        : rebalancing.backoffs > 0
          ? `${rebalancing.backoffs} back-off(s) in a row so far`
          : '';
  $('rebalancing-detail').textContent = detail;
}

function formatRate(rate) {
  return rate >= 100 ? Math.round(rate).toLocaleString() : rate.toFixed(1);
}

poll();
